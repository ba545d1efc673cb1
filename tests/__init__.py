"""canbao's test suite.

The suite runs in Chinese, canbao's default, whatever the developer's locale: the language is
chosen on canbao's first message (canbao.i18n), so it is pinned here, before any test module or
conftest imports canbao. Subprocesses inherit it; a test of another language sets its own.
"""

import os

os.environ["CANBAO_LANG"] = "zh"
