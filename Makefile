# The two commands of the README: `make run` (set up + main job) and `make test`.
.PHONY: setup run test es-stop clean

setup:
	bash deploy/setup.sh

# Starts the local Elasticsearch node (it keeps running; `make es-stop` stops it), installs the index
# templates, runs the main job into it and into out/, and prints the documents per index.
run: setup
	.venv/bin/newsmon es start
	.venv/bin/newsmon es setup
	.venv/bin/newsmon run examples/news --output out/
	@echo
	@echo "Query it:  curl 'http://localhost:9200/newsmon-articles/_search?q=entities.type:PERSON&pretty'"
	@echo "Kibana:    the local node has no X-Pack, which Kibana 8 requires. With Docker, run"
	@echo "           .venv/bin/newsmon es stop && docker compose -f deploy/docker-compose.yml up -d"
	@echo "           .venv/bin/newsmon run examples/news --output out/   (same URL, http://localhost:9200)"
	@echo "           then open http://localhost:5601 and add data views newsmon-articles (time field"
	@echo "           published_at), newsmon-events (date), newsmon-alerts (triggered_at)."
	@echo "Stop the local node: make es-stop"

test: setup
	.venv/bin/python -m pytest -q tests

es-stop:
	.venv/bin/newsmon es stop

clean:
	rm -rf out .pytest_cache
