"""Engine: settings, period, classification and evaluation -> results.Result (SPEC §2-§5)."""
