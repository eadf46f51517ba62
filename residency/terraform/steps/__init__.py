"""One module per Terraform operation: what it does to one workspace (a `Step`), registered in operations.py.

A step shares the run's context (steps/context.py) and the helpers of saved plans, and never asks which
operation it is: what differs between operations is which step runs.
"""
