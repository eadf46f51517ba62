"""The state backends, one module each: a backend owns everything about itself (base.py says what).

Adding a backend is a module here and its entry in residency/config/state.py's BACKENDS.
"""
