"""The kit's extensions to nbgrader, wired in by ``course_config.apply_to_nbgrader``.

- ``stubs.NameStubs``: generate_assignment step, stubs that name what to implement;
- ``feedback.ScrubTestCells``: generate_feedback step, no hidden test code in feedback;
- ``export.PerTestCsvExport``: export plugin, a column per test.
"""
