"""Events: who did what to whom, where, when, and with how many killed or wounded (PLOVER 2.0)."""
from newsmon.transforms.events.extract import EventOptions, extract_events

__all__ = ["EventOptions", "extract_events"]
