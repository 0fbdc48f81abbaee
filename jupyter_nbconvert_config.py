# nbconvert loads this file from the working directory: HTML exports of the notebooks
# carry their own MathJax, so their math renders without internet access.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from course_config import offline_math

offline_math(get_config())  # noqa: F821 (get_config is provided by nbconvert)
