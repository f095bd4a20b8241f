"""The page's words (issue 17): daemon/ui/text.js has every text in every language of the page, none empty,
Ukrainian's plural forms where a count appears, the same {names} in each language; its ids are exactly those
index.html, page.js and lesson.js use; index.html holds no words of its own; the page speaks English and the
languages of po/LINGUAS. Reads text.js's TEXT as JSON: no JavaScript engine needed (the browsers run the
module itself: tests/integration/page_checks.py)."""

import html.parser
import json
import os
import re
import unittest

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
UI = os.path.join(SRC, "daemon", "ui")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def read(*path):
    with open(os.path.join(*path), encoding="utf-8") as f:
        return f.read()


def load_text(source):
    """TEXT of text.js: the JSON object after `var TEXT = `."""
    start = source.index("var TEXT = ") + len("var TEXT = ")
    text, _ = json.JSONDecoder().raw_decode(source, start)
    return text


def js_ids(source):
    """Ids a script asks for: the literals in the id argument of T(id, ...) and X.t(lang, id, ...)."""
    args = re.findall(r"\bT\(([^,)]*)", source) + re.findall(r"\.t\(\s*\w+\s*,\s*([^,)]*)", source)
    return {i for a in args for i in re.findall(r'"(\w+)"', a)}


class HtmlWords(html.parser.HTMLParser):
    """index.html's ids (data-t, data-t-aria-label), the words outside them, and attributes that are words."""

    SKIP = {"code", "script", "style"}  # code, not words
    VOID = {"meta", "link", "input", "br", "img", "rect", "line"}

    def __init__(self):
        super().__init__()
        self.ids, self.loose, self.bad_attrs, self.own_text = set(), [], [], []
        self.stack = []  # (tag, has data-t, is a slot)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("data-t", "data-t-aria-label"):
            if name in a:
                self.ids.add(a[name])
        for name in ("aria-label", "title", "alt", "placeholder"):
            if name in a:
                self.bad_attrs.append((tag, name, a[name]))
        if tag not in self.VOID and not tag.endswith("/"):
            self.stack.append((tag, "data-t" in a, "data-slot" in a))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1][0] == tag and tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not data.strip() or any(t in self.SKIP or slot for t, _, slot in self.stack):
            return
        if self.stack and self.stack[-1][1]:
            self.own_text.append(data.strip())  # text.js says it: here it would be written twice
        elif self.stack and self.stack[-1][0] == "title":
            if data.strip() != "asyncdemo":  # the program's name, which page.js completes
                self.loose.append(data.strip())
        elif re.search(r"[^\W\d_]", data.replace("asyncdemod", "")):
            self.loose.append(data.strip())


class PageTextTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.text = load_text(read(UI, "text.js"))
        cls.languages = cls.text["languages"]
        cls.strings = cls.text["strings"]

    def test_languages(self):
        """English, and each language the programs speak (po/LINGUAS): a name, a button label, plural categories."""
        linguas = {w for line in read(SRC, "po", "LINGUAS").splitlines() for w in line.split("#")[0].split()}
        self.assertEqual(set(self.languages), {"en"} | linguas)
        for code, lang in self.languages.items():
            self.assertTrue(lang["name"].strip() and lang["short"].strip(), code)
            self.assertTrue(lang["plurals"], code)
        self.assertEqual(self.languages["en"]["plurals"], ["one", "other"])
        self.assertEqual(self.languages["uk"]["plurals"], ["one", "few", "many"])  # 1, 21; 2-4, 22; 5-20, 11

    def test_every_text_in_every_language(self):
        for sid, entry in self.strings.items():
            self.assertEqual(set(entry), set(self.languages), sid)
            english = entry["en"]
            plural = isinstance(english, dict)
            names = set()
            for form in english.values() if plural else [english]:
                names |= set(PLACEHOLDER.findall(form))
            for code, text in entry.items():
                if plural:
                    self.assertIsInstance(text, dict, (sid, code))
                    self.assertEqual(list(text), self.languages[code]["plurals"], (sid, code, "plural forms"))
                    forms = list(text.values())
                    self.assertTrue(all("{n}" in f for f in forms), (sid, code, "a form without its count"))
                else:
                    self.assertIsInstance(text, str, (sid, code))
                    forms = [text]
                for form in forms:
                    self.assertTrue(form.strip(), (sid, code, "empty"))
                    self.assertEqual(set(PLACEHOLDER.findall(form)), names, (sid, code, form))
                    self.assertEqual(form.count("{"), form.count("}"), (sid, code, form))

    def test_ids_are_those_the_page_uses(self):
        page = HtmlWords()
        page.feed(read(UI, "index.html"))
        used = page.ids | js_ids(read(UI, "page.js")) | js_ids(read(UI, "lesson.js"))
        self.assertEqual(sorted(used - set(self.strings)), [], "asked for, not in text.js")
        self.assertEqual(sorted(set(self.strings) - used), [], "in text.js, used nowhere")

    def test_index_html_has_no_words_of_its_own(self):
        page = HtmlWords()
        page.feed(read(UI, "index.html"))
        self.assertEqual(page.loose, [], "words outside data-t: give them an id in text.js")
        self.assertEqual(page.own_text, [], "a data-t element's text is text.js's, not index.html's")
        self.assertEqual(page.bad_attrs, [], "attributes with words: data-t-aria-label")

    def test_checks_can_fail(self):
        """The checks above see what they look for."""
        self.assertEqual(js_ids('T("a", {n: 1}) + X.t(lang, ok ? "b" : "c", {}) + T(closed ? "d" : "e")'),
                         {"a", "b", "c", "d", "e"})
        page = HtmlWords()
        page.feed('<p>Hello <code>/x</code></p><p data-t="k">Hi</p><ul aria-label="Bars"></ul>'
                  '<span data-t="f"><a data-slot="s" href="/x">/x</a></span><p>asyncdemod <span>·</span></p>')
        self.assertEqual((page.loose, page.own_text, page.bad_attrs, page.ids),
                         (["Hello"], ["Hi"], [("ul", "aria-label", "Bars")], {"k", "f"}))


if __name__ == "__main__":
    unittest.main()
