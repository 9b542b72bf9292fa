"""Protocol engine of the embedded lab: virtual clock, underlay, IKEv2/FlexVPN, BGP.

Entry point: :class:`flexlab.sim.engine.lab.Lab`. See docs/embedded-lab.md.
"""
