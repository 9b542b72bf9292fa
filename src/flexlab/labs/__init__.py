"""The lab facade: the only way the harness starts, fails, restores and questions a lab."""
