"""Hidden checks of the ``mlp_backprop`` assignment.

``probe_requests(config)`` lists what the sandbox must run on a submission; the
``test_*.py`` files judge what came back.
"""

from autograder.mlp_backprop.cases import probe_requests

__all__ = ["probe_requests"]
