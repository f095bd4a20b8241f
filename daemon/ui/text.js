/*
 * Every word the page shows, in each of its languages, keyed by id: index.html names its static texts by
 * id (data-t="id", data-t-aria-label="id"), page.js and lesson.js ask t(lang, id, params) for the rest.
 * English is the default and the fallback. A text's {name} is filled from params (numbers come formatted,
 * with a decimal point, by lesson.js's fmt); a name params lacks is left as it is, for page.js to put an
 * element there ({link} -> the element with data-slot="link"). A text with a count is an object of plural
 * forms keyed by the language's plural categories (Intl.PluralRules: English one/other, Ukrainian
 * one/few/many: 1, 21 запит; 2, 22 запити; 5, 11 запитів), chosen by params.n.
 * TEXT is strict JSON: tests/unit/test_page_text.py reads it without a JavaScript engine and checks that
 * every id has every language, no text is empty, and the ids are those the page uses. po/README.md: a
 * new language.
 */
"use strict";
var AsyncdemoText = (function () {
  var TEXT = {
    "languages": {
      "en": {"name": "English", "short": "EN", "plurals": ["one", "other"]},
      "uk": {"name": "Українська", "short": "УК", "plurals": ["one", "few", "many"]}
    },
    "strings": {
      "heading": {"en": "What blocking an event loop costs", "uk": "Чого коштує блокування циклу подій"},
      "connecting": {"en": "(connecting)", "uk": "(під'єднання)"},
      "lang_switch": {"en": "Language", "uk": "Мова"},
      "lesson_heading": {"en": "The lesson", "uk": "Урок"},
      "lesson_intro": {
        "en": "Send the same number of requests to each endpoint at once; each asks the server to wait the same delay. A server that waits on a timer answers them together; one that sleeps on its event loop answers them one after another.",
        "uk": "Надсилаємо однакову кількість запитів до кожного ендпоінта одночасно; кожен просить сервер зачекати ту саму затримку. Сервер, що чекає на таймері, відповідає на них разом; той, що спить у своєму циклі подій, відповідає на них по черзі."
      },
      "count_label": {"en": "Requests at once", "uk": "Запитів одночасно"},
      "delay_label": {"en": "Delay (seconds)", "uk": "Затримка (секунди)"},
      "endpoints_legend": {"en": "Endpoints", "uk": "Ендпоінти"},
      "ep_blocking": {"en": "sleeps on the loop", "uk": "спить у циклі подій"},
      "ep_non_blocking": {"en": "waits on a timer", "uk": "чекає на таймері"},
      "ep_offload": {"en": "sleeps on a worker pool", "uk": "спить у пулі потоків"},
      "work_cpu": {"en": "burn the CPU for the delay instead of sleeping ({param}: /blocking and /offload; a timer does no work)",
                   "uk": "навантажувати процесор на час затримки замість сну ({param}: /blocking і /offload; таймер роботи не виконує)"},
      "run_button": {"en": "Run the lesson", "uk": "Запустити урок"},
      "legend_label": {"en": "How to read the bars", "uk": "Як читати смуги"},
      "legend_served": {"en": "served: the server was working on the request (solid)",
                        "uk": "обслуговано: сервер працював над запитом (суцільна)"},
      "legend_queued": {"en": "queued: it had arrived but waited for the blocked loop (stripes)",
                        "uk": "у черзі: запит надійшов, але чекав на заблокований цикл (смужки)"},
      "legend_held": {"en": "held by the browser, which had no free connection (dots)",
                      "uk": "затримано браузером: у нього не було вільного з'єднання (крапки)"},
      "legend_waiting": {"en": "waiting for the answer (outline, grows while it waits)",
                         "uk": "чекає на відповідь (контур, росте, поки чекає)"},
      "live_heading": {"en": "The daemon, live", "uk": "Демон наживо"},
      "live_connecting": {"en": "Connecting to {link}.", "uk": "Під'єднання до {link}."},
      "live_state": {"en": "Live from /events, once a second ({loops}, up {uptime}).",
                     "uk": "Наживо з /events, щосекунди ({loops}, працює {uptime})."},
      "live_ended": {"en": "The live stream was refused or ended (see /events); reload to retry.",
                     "uk": "Живий потік відхилено або завершено (див. /events); перезавантажте сторінку, щоб спробувати знову."},
      "live_reconnecting": {"en": "Reconnecting to /events...", "uk": "Повторне під'єднання до /events..."},
      "in_flight_caption": {"en": "Requests in flight", "uk": "Запити в обробці"},
      "load_caption": {"en": "Load", "uk": "Навантаження"},
      "rps_label": {"en": "requests per second", "uk": "запитів за секунду"},
      "pool_busy_label": {"en": "offload workers busy", "uk": "зайнято потоків /offload"},
      "pool_queued_label": {"en": "offload jobs queued", "uk": "завдань /offload у черзі"},
      "clients_label": {"en": "live panels open", "uk": "відкрито живих панелей"},
      "pool_busy": {"en": "{busy} of {size}", "uk": "{busy} з {size}"},
      "clients": {"en": "{n} (at most {max})", "uk": "{n} (щонайбільше {max})"},
      "lag_title": {"en": "Event-loop lag over the last minute", "uk": "Відставання циклу подій за останню хвилину"},
      "chart_ago": {"en": "60 s ago", "uk": "60 с тому"},
      "chart_now": {"en": "now", "uk": "зараз"},
      "chart_top": {"en": "lag {t}", "uk": "відставання {t}"},
      "stall_threshold": {"en": "stall threshold {t}", "uk": "поріг зависання {t}"},
      "lag_none": {"en": "Loop lag: no data yet.", "uk": "Відставання циклу: даних ще немає."},
      "lag_summary": {"en": "Loop lag, last minute: worst {worst}{stall}; {stalls} with a stall over {threshold}.",
                      "uk": "Відставання циклу за останню хвилину: найбільше {worst}{stall}; {stalls} із зависанням понад {threshold}."},
      "lag_stall": {"en": " (a stall)", "uk": " (зависання)"},
      "lag_stall_by": {"en": " (a stall, caused by {ep})", "uk": " (зависання, спричинене {ep})"},
      "footer_links": {"en": "JSON: {stats} · {metrics} (Prometheus) · {healthz} · {events} (this panel's stream).",
                       "uk": "JSON: {stats} · {metrics} (Prometheus) · {healthz} · {events} (потік цієї панелі)."},
      "footer_docs": {
        "en": "Docs: {man}, {conf}, and {api} in the source (the Debian package installs them under {dir}).",
        "uk": "Документація: {man}, {conf} і {api} у вихідному коді (пакет Debian встановлює їх у {dir})."
      },
      "seconds": {"en": "{s} s", "uk": "{s} с"},
      "settings": {"en": "· {loops} · {workers} · delays up to {max} · {threshold} · pid {pid}",
                   "uk": "· {loops} · {workers} · затримки до {max} · {threshold} · pid {pid}"},
      "settings_several": {"en": " (with several loops, /blocking stalls only the loop a connection landed on)",
                           "uk": " (з кількома циклами /blocking зупиняє лише той цикл, до якого потрапило з'єднання)"},
      "limit_h2": {"en": "This page came over {proto}: all requests share one connection, so the browser holds none back.",
                   "uk": "Цю сторінку отримано через {proto}: усі запити йдуть одним з'єднанням, тож браузер жодного не затримує."},
      "limit_h1": {"en": "This page came over {proto}, where a browser opens at most {connections} to one server{stream}: at most {requests} are on the wire at once.",
                   "uk": "Цю сторінку отримано через {proto}, а так браузер відкриває до одного сервера щонайбільше {connections}{stream}: одночасно в мережі щонайбільше {requests}."},
      "limit_stream": {"en": " and the live panel holds one", "uk": ", і одне з них тримає жива панель"},
      "limit_https": {"en": "(Over HTTPS the daemon speaks HTTP/2, where all requests share one connection and none waits: a listener with a TLS certificate.)",
                      "uk": "(Через HTTPS демон підтримує HTTP/2, де всі запити йдуть одним з'єднанням і жоден не чекає: потрібен слухач із сертифікатом TLS.)"},
      "limit_over": {"en": "With {requests}, {waiting} inside the browser until an answer frees a connection: their bars show that wait with dots, not as queueing in the server.",
                     "uk": "{requests} одночасно: {waiting} у браузері, доки відповідь не звільнить з'єднання; їхні смуги показують це чекання крапками, а не як чергу на сервері."},
      "status_running": {"en": "Running {ep}: {requests} of {delay} at once.", "uk": "Виконується {ep}: {requests} по {delay} одночасно."},
      "status_done": {"en": "Done: {runs}.", "uk": "Готово: {runs}."},
      "choose_endpoint": {"en": "Choose at least one endpoint.", "uk": "Виберіть принаймні один ендпоінт."},
      "stats_error": {"en": "Cannot read /stats: {error}", "uk": "Не вдалося прочитати /stats: {error}"},
      "run_label": {"en": "{ep} run", "uk": "запуск {ep}"},
      "run_no_cpu": {"en": "Sent without {param}: {ep} waits on a timer, which does no work (the daemon refuses that form with 400).",
                     "uk": "Надіслано без {param}: {ep} чекає на таймері, який роботи не виконує (цю форму демон відхиляє з кодом 400)."},
      "row_label": {"en": "Request {index}: {parts}, {where}", "uk": "Запит {index}: {parts}, {where}"},
      "row_waiting": {"en": "waiting", "uk": "чекає"},
      "row_waiting_for": {"en": "waiting {t}", "uk": "чекає {t}"},
      "row_failed": {"en": "failed: {error}", "uk": "невдача: {error}"},
      "row_held": {"en": "held {t}", "uk": "затримано {t}"},
      "row_queued": {"en": "queued {t}", "uk": "у черзі {t}"},
      "row_served": {"en": "served {t}", "uk": "обслуговано {t}"},
      "row_on": {"en": "on {thread}", "uk": "у циклі {thread}"},
      "run_total": {
        "en": {"one": "{ep}: its {n} request answered after {wall}", "other": "{ep}: all {n} answered after {wall}"},
        "uk": {"one": "{ep}: {n} запит отримав відповідь за {wall}", "few": "{ep}: усі {n} запити отримали відповіді за {wall}",
               "many": "{ep}: усі {n} запитів отримали відповіді за {wall}"}
      },
      "run_held": {"en": "; some waited in the browser for a connection", "uk": "; деякі чекали в браузері на з'єднання"},
      "verdict_slower": {"en": "{slow} was {ratio}x slower than {fast}", "uk": "{slow} повільніший за {fast} у {ratio} разів"},
      "verdict_faster": {"en": "{slow} was {ratio}x faster than {fast}", "uk": "{slow} швидший за {fast} у {ratio} разів"},
      "n_requests": {
        "en": {"one": "{n} request", "other": "{n} requests"},
        "uk": {"one": "{n} запит", "few": "{n} запити", "many": "{n} запитів"}
      },
      "n_connections": {
        "en": {"one": "{n} connection", "other": "{n} connections"},
        "uk": {"one": "{n} з'єднання", "few": "{n} з'єднання", "many": "{n} з'єднань"}
      },
      "n_wait": {
        "en": {"one": "{n} waits", "other": "{n} wait"},
        "uk": {"one": "{n} чекає", "few": "{n} чекають", "many": "{n} чекають"}
      },
      "n_failed": {
        "en": {"one": "{n} failed", "other": "{n} failed"},
        "uk": {"one": "{n} невдалий", "few": "{n} невдалі", "many": "{n} невдалих"}
      },
      "n_loops": {
        "en": {"one": "{n} event loop", "other": "{n} event loops"},
        "uk": {"one": "{n} цикл подій", "few": "{n} цикли подій", "many": "{n} циклів подій"}
      },
      "n_workers": {
        "en": {"one": "{n} offload worker", "other": "{n} offload workers"},
        "uk": {"one": "{n} потік /offload", "few": "{n} потоки /offload", "many": "{n} потоків /offload"}
      },
      "n_seconds": {
        "en": {"one": "{n} second", "other": "{n} seconds"},
        "uk": {"one": "{n} секунда", "few": "{n} секунди", "many": "{n} секунд"}
      }
    }
  };
  var LANGUAGES = TEXT.languages, STRINGS = TEXT.strings, DEFAULT = "en";
  var rules = {};

  /* The plural form of entry (an object of forms) for n in lang: the browser's CLDR rules pick the category. */
  function pluralForm(lang, forms, n) {
    if (!rules[lang]) rules[lang] = new Intl.PluralRules(lang);
    var cats = LANGUAGES[lang].plurals, cat = rules[lang].select(n);
    return forms[cats.indexOf(cat) >= 0 ? cat : cats[cats.length - 1]]; // a fraction: the last form
  }

  /* The text of id in lang (English where lang is not one of the page's), params filled in. */
  function t(lang, id, params) {
    if (!LANGUAGES[lang]) lang = DEFAULT;
    var entry = STRINGS[id];
    if (!entry) throw new Error("no text '" + id + "'");
    var text = entry[lang];
    params = params || {};
    if (typeof text === "object") text = pluralForm(lang, text, Number(params.n));
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : all;
    });
  }

  /* The page's language for a browser's preferred ones (navigator.languages, from Accept-Language):
   * the first whose primary subtag the page speaks ("uk-UA" -> "uk"), else English. */
  function choose(preferred) {
    for (var i = 0; i < (preferred || []).length; i++) {
      var code = String(preferred[i]).toLowerCase().split("-")[0];
      if (Object.prototype.hasOwnProperty.call(LANGUAGES, code)) return code;
    }
    return DEFAULT;
  }

  return { LANGUAGES: LANGUAGES, DEFAULT: DEFAULT, t: t, choose: choose };
})();
