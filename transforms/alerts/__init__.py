"""Alerts: rules analysts write (config/alerts.yaml), computed in the pipeline, delivered once."""
from newsmon.transforms.alerts.detect import DetectAlerts
from newsmon.transforms.alerts.rules import RuleSet, load_rules
from newsmon.transforms.alerts.watch import rules_for_run, watch_rules

__all__ = ["DetectAlerts", "RuleSet", "load_rules", "rules_for_run", "watch_rules"]
