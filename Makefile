# The two commands of the README: `make run` (set up + main job) and `make test`.
.PHONY: setup run test clean

setup:
	bash deploy/setup.sh

run: setup
	.venv/bin/newsmon run examples/news --output out/ --no-es

test: setup
	.venv/bin/python -m pytest -q tests

clean:
	rm -rf out .pytest_cache
