# The two commands of the README: `make run` (set up + main job) and `make test`.
.PHONY: setup run test es-stop clean report report-screenshot

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
	@echo "Report:    make report   (out/report.html: the dashboard as one page, no Kibana needed)"
	@echo "Kibana:    the local node has no X-Pack, which Kibana 8 requires. With Docker, run"
	@echo "           .venv/bin/newsmon es stop && docker compose -f deploy/docker-compose.yml up -d"
	@echo "           .venv/bin/newsmon run examples/news --output out/   (same URL, http://localhost:9200)"
	@echo "           .venv/bin/newsmon kibana import --kibana-url http://localhost:5601"
	@echo "           then open the dashboard News monitor at http://localhost:5601"
	@echo "Stop the local node: make es-stop"

test: setup
	bash deploy/test-deps.sh
	.venv/bin/python -m pytest -q tests

# The offline report of what the node at http://localhost:9200 holds (after `make run`).
report:
	.venv/bin/newsmon report --output out/report.html

# docs/report.png, the screenshot the README shows, from that report.
report-screenshot: report
	chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
	  --no-first-run --user-data-dir=$(CURDIR)/out/.chromium --hide-scrollbars --window-size=1400,1560 \
	  --screenshot=docs/report.png file://$(CURDIR)/out/report.html

es-stop:
	.venv/bin/newsmon es stop

clean:
	rm -rf out .pytest_cache
