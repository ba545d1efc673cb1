# canbao: every target creates the environment itself (uv, the machine's own Python).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
# uv from PATH, else the copy pip installs for the machine's Python (wherever pip puts it).
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
# The spark extra (PySpark, pandas) is part of the development environment: the engine-parity
# tests run a real Spark local[2] session (canbao[spark] stays optional for users).
RUN := $(UV) run --locked --extra spark
DEMO_OUT ?= demo-output
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: env test lint typecheck pytest postgres printing demo bench profile native-profile clean \
  wheelhouse catalog

# Bytecode compiled once here, as pip compiles a wheel it installs: uv does not by default, and
# where PYTHONDONTWRITEBYTECODE is set (these machines) or site-packages is read-only, Python
# parsed every module of Polars, pydantic, rich, ... on each run: `canbao match --help` took
# 1.34 s instead of 0.45, a match of 1 M persons 1.2 s more (docs/performance.md, "Start-up").
# Up-to-date files are skipped on later runs; an edited module's stale bytecode is ignored.
env:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
	  || python3 -m pip install --quiet uv || python3 -m pip install --quiet --user uv
	@$(UV) sync --locked --quiet --extra spark --compile-bytecode
	@$(UV) run --locked --extra spark python -m compileall -q src benchmarks >/dev/null
	@command -v java >/dev/null 2>&1 || { echo "installing Java (Debian openjdk-17-jre-headless) for Spark"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    $(SUDO) apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null; }

lint: env
	$(RUN) ruff check src tests benchmarks scripts
	$(RUN) ruff format --check src tests benchmarks scripts

typecheck: env
	$(RUN) mypy

# The offline-install test installs from the wheelhouse, so it is built first (the only step
# of make test that may reach the package registry).
pytest: env wheelhouse postgres printing
	$(RUN) pytest -n 2 --hypothesis-profile=thorough

# The database tests start and stop their own PostgreSQL server (tests/db/postgres_server.py)
# from Debian's postgresql package: installed here when missing, never by a test.
postgres:
	@if [ -z "$$CANBAO_PG_BIN" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	    && ! command -v initdb >/dev/null 2>&1; then \
	  echo "installing PostgreSQL (Debian package postgresql) for the database tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    $(SUDO) apt-get install -y -qq --no-install-recommends postgresql >/dev/null; \
	fi

# The print tests render the workbooks people print as a county office would (LibreOffice to PDF,
# pages counted by poppler's pdfinfo; the fonts set the widths) and open the HTML report in a
# headless Chromium with no network: installed when missing, never by a test.
PRINT_PACKAGES := libreoffice-calc-nogui poppler-utils fonts-noto-cjk fonts-crosextra-carlito chromium
printing:
	@if ! dpkg -s $(PRINT_PACKAGES) >/dev/null 2>&1; then \
	  echo "installing LibreOffice Calc, poppler, Chromium and fonts (Debian) for the print tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    $(SUDO) apt-get install -y -qq $(PRINT_PACKAGES) >/dev/null; \
	fi

test: lint typecheck pytest

# The message catalog (canbao.i18n, README "Language"): Babel extracts every marked string into
# the template, adds the new ones to the Chinese catalog (sorted by msgid, no locations and a fixed
# creation date, so two branches' additions merge as blocks and the .mo is reproducible), and compiles it. Fill in each new msgstr, run it again.
LOCALE := src/canbao/locale
catalog: env
	$(RUN) pybabel --quiet extract -F babel.cfg --sort-output --no-location --omit-header \
	  -o $(LOCALE)/canbao.pot .
	$(RUN) pybabel --quiet update -i $(LOCALE)/canbao.pot -d $(LOCALE) -D canbao -l zh_CN \
	  --no-fuzzy-matching --ignore-obsolete
	sed -i 's/^"POT-Creation-Date: .*/"POT-Creation-Date: 2026-12-05 00:00+0000\\n"/' \
	  $(LOCALE)/zh_CN/LC_MESSAGES/canbao.po
	$(RUN) pybabel compile --statistics -d $(LOCALE) -D canbao -l zh_CN

CITY := examples/city
AUGUST := examples/city-2017-08
CAMPAIGN_DB = $(DEMO_OUT)/campaign.duckdb
# The rosters of a month of the example city (the June and August folders hold the same files).
city_rosters = --household $(1)/household.csv --floating $(1)/floating.csv \
  --pension $(1)/pension_employee.csv --pension $(1)/pension_resident.xlsx \
  --medical $(1)/medical_employee.csv --medical $(1)/medical_resident.csv
# The whole chain on the bundled examples, as an analyst would type it.
demo: env
	@# Only a folder an earlier `make demo` wrote (it holds the marker) is replaced: never the user's.
	@if [ -e $(DEMO_OUT) ] && [ ! -e $(DEMO_OUT)/.canbao-demo ]; then \
	  echo "$(DEMO_OUT) 已存在且不是 make demo 写的：请移走它，或用 DEMO_OUT=其他目录 ($(DEMO_OUT) exists and was not written by make demo)" >&2; exit 7; fi
	@rm -rf $(DEMO_OUT) && mkdir -p $(DEMO_OUT) && touch $(DEMO_OUT)/.canbao-demo
	@echo "== 1. canbao match: rosters -> result sets"
	$(RUN) canbao match --household $(CITY)/household.csv --floating $(CITY)/floating.csv \
	  --pension $(CITY)/pension_employee.csv --pension $(CITY)/pension_resident.xlsx \
	  --medical $(CITY)/medical_employee.csv --medical $(CITY)/medical_resident.csv \
	  --units $(CITY)/units_registry.csv --insured-units $(CITY)/units_insured.csv \
	  --county-lists --as-of 2017-06-30 --output $(DEMO_OUT)/match
	@echo "== 2. canbao score: county submissions -> evaluation tables and fees"
	$(RUN) canbao score --rules rules/huaibei-2017.yaml examples/score/huaibei-2017-submission.csv examples/score/huaibei-2017-submission.xlsx \
	  --self examples/score/huaibei-2017-self.csv --output $(DEMO_OUT)/score-huaibei
	$(RUN) canbao score --rules rules/changzhou-2016.yaml examples/score/changzhou-2016-submission.csv \
	  --self examples/score/changzhou-2016-self.csv --output $(DEMO_OUT)/score-changzhou
	@echo "== 3. survey: forms per village, a filled sample entry sheet, canbao intake, canbao score"
	$(RUN) python scripts/demo_survey.py --match $(DEMO_OUT)/match --output $(DEMO_OUT)/survey \
	  --rules rules/huaibei-2017.yaml --answers examples/score/huaibei-2017-submission.csv --as-of 2017-06-30
	@echo "== 4. unit survey: the unit sheets per county filled by a clerk, canbao intake of units"
	$(RUN) python scripts/demo_units.py --forms $(DEMO_OUT)/survey/forms --output $(DEMO_OUT)/units/filled
	$(RUN) canbao intake $(DEMO_OUT)/units/filled/单位/*/单位信息录入表.xlsx --survey $(DEMO_OUT)/match \
	  --rules rules/huaibei-2017.yaml --as-of 2017-06-30 --output $(DEMO_OUT)/units/intake
	@echo "== 5. village ledgers (台账): persons confirmed by ID and name need no visit (直接确认)"
	$(RUN) canbao forms survey --from $(DEMO_OUT)/match --by county --output $(DEMO_OUT)/survey-ledgers \
	  --ledger $(CITY)/ledger_village.csv --ledger $(CITY)/ledger_census.csv --ledger-source 人口普查
	@echo "== 6. spot check (抽查): a seeded sample of the entered forms, per village and 经办人"
	set -o pipefail; $(RUN) canbao intake $$(find $(DEMO_OUT)/survey/filled -name '*.xlsx' | sort) --survey $(DEMO_OUT)/match \
	  --as-of 2017-06-30 --sample --seed 2017 --output $(DEMO_OUT)/spot-check | tail -n 2
	@echo "== 7. registration database (DuckDB file): June, the survey's forms, August, then canbao changes and progress"
	$(RUN) canbao match $(call city_rosters,$(CITY)) --as-of 2017-06-30 --output $(DEMO_OUT)/db/2017-06 \
	  --db $(CAMPAIGN_DB) --quiet
	set -o pipefail; $(RUN) canbao intake $$(find $(DEMO_OUT)/survey/filled -name '*.xlsx' | sort) \
	  --survey $(DEMO_OUT)/db/2017-06 --as-of 2017-07-15 --output $(DEMO_OUT)/db/intake-2017-07 \
	  --db $(CAMPAIGN_DB) | tail -n 2
	$(RUN) canbao match $(call city_rosters,$(AUGUST)) --as-of 2017-08-31 --output $(DEMO_OUT)/db/2017-08 \
	  --db $(CAMPAIGN_DB) --quiet
	$(RUN) canbao changes --db $(CAMPAIGN_DB) --output $(DEMO_OUT)/changes
	$(RUN) canbao progress --db $(CAMPAIGN_DB) --population examples/progress/population.csv \
	  --manual examples/progress/manual.csv --output $(DEMO_OUT)/progress
	@echo "== 8. canbao report: one HTML page of charts (opens offline in any browser)"
	$(RUN) canbao report $(DEMO_OUT)/match --score $(DEMO_OUT)/score-huaibei \
	  --score $(DEMO_OUT)/score-changzhou --changes $(DEMO_OUT)/changes --progress $(DEMO_OUT)/progress \
	  --output $(DEMO_OUT)/report.html
	@echo
	@echo "Done. Results: $(DEMO_OUT)/match (summary.json, needs_survey.csv, ...; to print: basic_data_tables.xlsx,"
	@echo "      task_table.xlsx, lists/<县区>/需入户调查人员名单.xlsx),"
	@echo "      evaluation workbooks: $(DEMO_OUT)/score-huaibei, $(DEMO_OUT)/score-changzhou,"
	@echo "      survey forms, intake and its score: $(DEMO_OUT)/survey"
	@echo "      unit survey (forms in survey/forms/单位), filled unit sheets and their intake: $(DEMO_OUT)/units"
	@echo "      ledger confirmations: $(DEMO_OUT)/survey-ledgers, spot-check sheet: $(DEMO_OUT)/spot-check"
	@echo "      registration database: $(CAMPAIGN_DB); June to August per county: $(DEMO_OUT)/changes;"
	@echo "      the nine rates, 进度表 and facts for score --facts: $(DEMO_OUT)/progress"
	@echo "Report (charts, no ID or name; open in a browser): $$(realpath $(DEMO_OUT)/report.html)"

bench: env
	$(RUN) python -m benchmarks.run $(BENCH_ARGS)

# Where the match's time goes at 1 M persons, per step, per part and per expression: the tables
# of docs/performance.md (a few minutes; not part of make test). Smaller: PROFILE_ARGS="--persons 100000".
profile: env
	$(RUN) python -m benchmarks.profile_match $(PROFILE_ARGS)

# What the match's CPU does inside Polars and the kernel: one match sampled by Linux perf, the
# samples summed into kinds of work (benchmarks/native_profile.py; docs/performance.md, "Inside
# the steps"). NATIVE_ARGS="--shards 1 --shards 4" compares one piece with four shards.
native-profile: env
	@command -v perf >/dev/null 2>&1 || { echo "installing perf (Debian linux-perf)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    $(SUDO) apt-get install -y -qq --no-install-recommends linux-perf >/dev/null; }
	$(RUN) python -m benchmarks.native_profile --persons 1000000 $(NATIVE_ARGS)

# A folder that installs canbao and everything it needs on an offline machine of the same
# platform: python -m pip install --no-index --find-links wheelhouse canbao (README, "Offline").
# Another platform: make wheelhouse WHEEL_PLATFORM=win_amd64 (Windows desktops, 64-bit Python 3.11).
WHEELHOUSE ?= dist/wheelhouse
WHEEL_PLATFORM ?=
WHEEL_PYTHON ?= 3.11
wheelhouse: env
	@rm -rf $(WHEELHOUSE) && mkdir -p $(WHEELHOUSE)
	@$(UV) build --wheel --quiet --out-dir $(WHEELHOUSE)
	@$(UV) export --locked --no-dev --no-hashes --no-emit-project --quiet \
	  --output-file $(WHEELHOUSE)/requirements.txt
	@python3 -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
	  $(if $(WHEEL_PLATFORM),--platform $(WHEEL_PLATFORM) --python-version $(WHEEL_PYTHON),) \
	  --dest $(WHEELHOUSE) --requirement $(WHEELHOUSE)/requirements.txt
	@echo "wheelhouse: $(WHEELHOUSE) ($$(ls $(WHEELHOUSE)/*.whl | wc -l) wheels)"

clean:
	rm -rf .venv $(DEMO_OUT) .pytest_cache .mypy_cache .ruff_cache
	find src benchmarks tests -name __pycache__ -type d -prune -exec rm -rf {} +
