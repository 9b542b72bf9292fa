"""flexlab: certify Cisco IOS / IOS XE images against the FlexVPN redundant-hub design."""

__version__ = "0.1.0"
