"""The page at / in Debian's headless firefox-esr over WebDriver BiDi: page_checks.py's tests, the same
ones chromium passes (test_browser.py), with a screenshot in $AD_ARTIFACT_DIR/ui-lesson-firefox.png.
Skips, saying so, only when firefox-esr is not installed. Run with Debian's /usr/bin/python3.
"""

import browser
import harness
import page_checks


class FirefoxPageTest(page_checks.PageChecks, harness.DaemonTestCase):
    BROWSER = browser.Firefox


if __name__ == "__main__":
    harness.main()
