"""The page at / in Debian's headless chromium over the DevTools protocol: page_checks.py's tests (the
lesson on load with its staircase and overlap, the live panel, no console error or CSP violation, a
screenshot in $AD_ARTIFACT_DIR/ui-lesson-chromium.png). Run with Debian's /usr/bin/python3.
"""

import browser
import harness
import page_checks


class ChromiumPageTest(page_checks.PageChecks, harness.DaemonTestCase):
    BROWSER = browser.Chromium


if __name__ == "__main__":
    harness.main()
