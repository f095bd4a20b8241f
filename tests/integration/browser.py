"""Headless browsers driven over their remote protocols, for tests of the daemon's page.

``Chromium``: Debian's ``chromium`` over the DevTools protocol. ``Firefox``: Debian's ``firefox-esr`` over
WebDriver BiDi, its own remote protocol (no geckodriver). Both need ``python3-websocket``
(packaging/install-deps.sh); run them with Debian's /usr/bin/python3 (a pyenv python3 may come first on
PATH without Debian's modules). Each starts the browser in its own session with a fresh profile
directory, offers the same calls (navigate, evaluate, wait_for, press, screenshot, set_language), collects console
errors, uncaught exceptions, failed loads and Content-Security-Policy violations, accepts any TLS certificate
(the tests' daemons serve https with a certificate the test made; these browsers only visit loopback), and
on close ends every
process it started: its process group, and any process still naming its profile directory, then checks
none is left. The browser also gets SIGKILL if the test process dies first (a ctest timeout).
"""

import base64
import ctypes
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.request

import websocket  # python3-websocket

START_TIMEOUT = 30.0  # a browser's first start on a loaded 2-core machine
CALL_TIMEOUT = 30.0
WIDTH, HEIGHT = 1280, 1600  # the viewport: the page's narrow layout, long enough for the whole lesson

# Run in every page before its own scripts: records CSP violations where a test can read them.
CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""

# Firefox's preferences for a test profile, beyond the ones its remote agent sets itself for automation
# (no first-run pages, default-browser check, safe browsing, telemetry upload or remote settings): no
# updates or studies, no prefetching, no DNS over HTTPS, and every request that does not go to loopback
# (never proxied) goes to a dead proxy instead, so the browser reaches nothing outside the machine.
FIREFOX_PREFS = {
    "browser.startup.page": 0,
    "browser.newtabpage.enabled": False,
    "browser.safebrowsing.update.enabled": False,
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "toolkit.telemetry.enabled": False,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.http.speculative-parallel-limit": 0,
    "network.trr.mode": 5,
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": 9,
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": 9,
    "network.proxy.allow_hijacking_localhost": False,
}


def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        raise AssertionError("chromium is not installed (packaging/install-deps.sh installs Debian's chromium)")
    return path


def firefox_path():
    """Debian's firefox-esr; a test skips (the one case it may) when it is not installed."""
    path = shutil.which("firefox-esr") or shutil.which("firefox")
    if path is None:
        raise unittest.SkipTest("firefox-esr is not installed (packaging/install-deps.sh installs it): "
                                "the page is not checked in Firefox")
    return path


def _die_with_parent():
    # PR_SET_PDEATHSIG (1): SIGKILL when the test process ends, even by SIGKILL, so no browser outlives it.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


class _Browser:
    """What both browsers share: the process, the profile, the waits, the errors and the ending."""

    name = None

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix=f"asyncdemo-{self.name}-")
        self.log = open(os.path.join(self.profile, f"{self.name}.log"), "wb")
        self.errors = []  # console errors, exceptions, failed loads: (kind, text)
        self.ws = None
        self._next_id = 0
        self._prepare_profile()
        self.proc = subprocess.Popen(self._argv(), stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=self.log, start_new_session=True, preexec_fn=_die_with_parent)
        try:
            self._connect()
        except BaseException:
            self.close()
            raise

    def _prepare_profile(self):
        pass

    def _wait_for_file(self, path):
        """Waits (bounded) until the browser wrote path, where it says which port it listens on."""
        deadline = time.monotonic() + START_TIMEOUT
        while not (os.path.exists(path) and os.path.getsize(path) > 0):
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode} before it listened")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not start within {START_TIMEOUT}s")
            time.sleep(0.05)

    def _send(self, message):
        """Sends one command and returns its answer, handing the events that come first to _event."""
        self._next_id += 1
        my_id = self._next_id
        self.ws.send(json.dumps(dict(message, id=my_id)))
        deadline = time.monotonic() + CALL_TIMEOUT
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())  # the socket's own timeout bounds a silent browser
            if msg.get("id") == my_id:
                return msg
            self._event(msg)
        raise AssertionError(f"{message.get('method')}: no answer within {CALL_TIMEOUT}s")

    def wait_for(self, expression, timeout, interval=0.1, message=None):
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{message or expression} not true within {timeout}s")
            time.sleep(interval)

    def csp_violations(self):
        return self.evaluate("window.__cspViolations || []")

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self._screenshot_base64()))

    # -- ending it

    def _leftovers(self):
        """PIDs of processes that belong to this browser: its process group, or naming its profile."""
        found = []
        marker = self.profile.encode()
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            try:
                with open(f"/proc/{pid}/stat", "rb") as f:
                    stat = f.read()
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmdline = f.read()
            except OSError:
                continue
            fields = stat[stat.rindex(b")") + 2:].split()
            state, pgid = fields[0], int(fields[2])
            if state == b"Z":
                continue
            if pgid == self.proc.pid or marker in cmdline:
                found.append(pid)
        return found

    def close(self):
        """Ends the browser and every process it started; raises if one is left."""
        quitting = False
        if self.ws is not None:
            try:
                quitting = self._ask_to_quit()
            except Exception:
                pass
            self.ws.close()
            self.ws = None
        if quitting:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        # Child processes (renderers, a zygote, content processes) may outlive the browser process: end
        # the group, then stragglers.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        left = self._leftovers()
        while left and time.monotonic() < deadline:
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.1)
            left = self._leftovers()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)
        if left:
            raise AssertionError(f"{self.name} processes left running: {left}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Chromium(_Browser):
    """Debian's headless chromium over the DevTools protocol."""

    name = "chromium"
    KEYS = {"Tab": dict(key="Tab", code="Tab", windowsVirtualKeyCode=9),
            "Enter": dict(key="Enter", code="Enter", windowsVirtualKeyCode=13),
            "Space": dict(key=" ", code="Space", windowsVirtualKeyCode=32)}
    KEY_TEXT = {"Enter": "\r", "Space": " "}

    def __init__(self):
        self.path = chromium_path()
        super().__init__()

    def _argv(self):
        return [self.path, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--mute-audio", "--hide-scrollbars",
                f"--window-size={WIDTH},{HEIGHT}", "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
                "about:blank"]

    def _connect(self):
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        self._wait_for_file(port_file)
        with open(port_file) as f:
            port = int(f.readline())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=CALL_TIMEOUT) as r:
            targets = json.load(r)
        page = next(t for t in targets if t["type"] == "page")
        # suppress_origin: chromium refuses DevTools websockets whose Origin it was not told to allow
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=CALL_TIMEOUT,
                                              suppress_origin=True)
        for method in ("Runtime.enable", "Log.enable", "Page.enable"):
            self.call(method)
        # The tests' https daemons have certificates the test made (harness.make_tls_cert).
        self.call("Security.setIgnoreCertificateErrors", ignore=True)
        self.call("Page.addScriptToEvaluateOnNewDocument", source=CSP_PROBE)

    def _event(self, msg):
        method, p = msg.get("method"), msg.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            self.errors.append(("console", " ".join(str(a.get("value", a.get("description"))) for a in p["args"])))
        elif method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            self.errors.append(("exception", d.get("exception", {}).get("description", d.get("text"))))
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
            e = p["entry"]
            self.errors.append((e.get("source", "log"), f"{e['text']} {e.get('url', '')}".strip()))

    def call(self, method, **params):
        msg = self._send({"method": method, "params": params})
        if "error" in msg:
            raise AssertionError(f"{method}: {msg['error']}")
        return msg.get("result", {})

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (JSON-serialisable), awaiting promises."""
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise AssertionError(f"{expression!r} threw: {r['exceptionDetails']}")
        return r["result"].get("value")

    def navigate(self, url):
        self.call("Page.navigate", url=url)

    def set_language(self, tag):
        """The browser's language (a BCP 47 tag, "uk") for the pages loaded from now on, as if its settings
        said so: navigator.languages is [tag] and requests carry Accept-Language: tag. None: its own again.
        Per tab, with no restart (a second start is what --lang / --accept-lang would cost)."""
        # An empty user agent ends the override (the agent itself is left as it is).
        ua = "" if tag is None else self.evaluate("navigator.userAgent")
        self.call("Emulation.setUserAgentOverride", userAgent=ua, acceptLanguage=tag or "")

    def press(self, key):
        """One key press (down and up; "Tab", "Enter" or "Space") into the focused element, as a keyboard user would."""
        text = {"text": self.KEY_TEXT[key]} if key in self.KEY_TEXT else {}
        self.call("Input.dispatchKeyEvent", type="keyDown", **self.KEYS[key], **text)
        self.call("Input.dispatchKeyEvent", type="keyUp", **self.KEYS[key])

    def _screenshot_base64(self):
        return self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]

    def _ask_to_quit(self):
        """Asks the browser to quit; True: close() then waits (bounded) for it to exit before killing."""
        self.ws.send(json.dumps({"id": 0, "method": "Browser.close"}))
        return True


class Firefox(_Browser):
    """Debian's headless firefox-esr over WebDriver BiDi (ws://127.0.0.1:PORT/session)."""

    name = "firefox"
    KEYS = {"Tab": "\ue004", "Enter": "\ue007", "Space": " "}  # WebDriver's key codes (a space is itself)

    def __init__(self):
        self.path = firefox_path()
        super().__init__()

    def _argv(self):
        return [self.path, "--headless", "--no-remote", "--remote-debugging-port", "0", "--profile", self.profile,
                "about:blank"]

    def _prepare_profile(self):
        with open(os.path.join(self.profile, "user.js"), "w") as f:
            for k, v in FIREFOX_PREFS.items():
                f.write(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n")

    def _connect(self):
        # With port 0 Firefox picks a free one and writes it here.
        server_file = os.path.join(self.profile, "WebDriverBiDiServer.json")
        self._wait_for_file(server_file)
        with open(server_file) as f:
            port = json.load(f)["ws_port"]
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}/session", timeout=CALL_TIMEOUT,
                                              suppress_origin=True)
        # acceptInsecureCerts: the tests' https daemons have certificates the test made (harness.make_tls_cert).
        self.call("session.new", capabilities={"alwaysMatch": {"acceptInsecureCerts": True}})
        self.call("session.subscribe", events=["log.entryAdded", "network.responseCompleted", "network.fetchError"])
        first = self.call("browsingContext.getTree")["contexts"][0]["context"]
        # The page gets a tab of its own: the start tab leaves the keyboard focus in the address bar, where
        # a focused button does not take Enter.
        self.context = self.call("browsingContext.create", type="tab")["context"]
        self.call("browsingContext.close", context=first)
        self.call("browsingContext.setViewport", context=self.context, viewport={"width": WIDTH, "height": HEIGHT})
        self.call("script.addPreloadScript", functionDeclaration="() => {" + CSP_PROBE + "}")

    def _event(self, msg):
        method, p = msg.get("method"), msg.get("params", {})
        if method == "log.entryAdded" and p.get("level") == "error":
            self.errors.append((p.get("type", "log"), p.get("text")))
        elif method == "network.responseCompleted" and p["response"]["status"] >= 400:
            r = p["response"]
            self.errors.append(("network", f"{r['status']} {r['url']}"))
        elif method == "network.fetchError":
            self.errors.append(("network", f"{p.get('errorText')} {p['request']['url']}"))

    def call(self, method, **params):
        msg = self._send({"method": method, "params": params})
        if msg.get("type") == "error":
            raise AssertionError(f"{method}: {msg.get('error')}: {msg.get('message')}")
        return msg.get("result", {})

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (JSON-serialisable), awaiting promises."""
        # Through JSON, so the value comes back as plain data rather than BiDi's typed remote values.
        wrapped = f"Promise.resolve(({expression})).then(function (v) {{ return JSON.stringify(v); }})"
        r = self.call("script.evaluate", expression=wrapped, target={"context": self.context}, awaitPromise=True,
                      resultOwnership="none")
        if r["type"] != "success":
            raise AssertionError(f"{expression!r} threw: {r.get('exceptionDetails')}")
        value = r["result"].get("value")
        return None if value is None else json.loads(value)

    def navigate(self, url):
        # Returns once the page's deferred scripts ran (DOMContentLoaded), as the tests' waits expect.
        self.call("browsingContext.navigate", context=self.context, url=url, wait="interactive")

    def set_language(self, tag):
        """As Chromium's: navigator.languages and Accept-Language of the pages loaded from now on; None: the
        profile's own. WebDriver BiDi's locale override, per tab, with no restart (intl.accept_languages in
        the profile would need one: a Firefox start takes 6 s here)."""
        self.call("emulation.setLocaleOverride", locale=tag, contexts=[self.context])

    def press(self, key):
        """One key press (down and up; "Tab", "Enter" or "Space") into the focused element, as a keyboard user would."""
        actions = [{"type": "keyDown", "value": self.KEYS[key]}, {"type": "keyUp", "value": self.KEYS[key]}]
        self.call("input.performActions", context=self.context,
                  actions=[{"type": "key", "id": "keyboard", "actions": actions}])

    def _screenshot_base64(self):
        return self.call("browsingContext.captureScreenshot", context=self.context, origin="document")["data"]

    def _ask_to_quit(self):
        # An orderly quit takes Firefox a second or more, for a profile that is thrown away: close() kills
        # its process group at once instead.
        return False
