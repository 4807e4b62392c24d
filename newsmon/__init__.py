"""newsmon: news monitoring on Apache Beam. The code lives in `pipelines/` and `transforms/`."""
__version__ = "0.1.0"
