"""The servers we did not write that the suite (test_ctl_servers.py) and the benchmarks (bench/sidebyside) run:
Debian's standalone h2o and nginx, each in the foreground on a loopback port with its files under a directory of
its own. Started as root, both serve as an unprivileged user: that directory and what they serve must be
world-readable. Python standard library only."""

import os
import signal
import subprocess


def h2o_command(confdir, port, docroot, tls=None, access_log=None):
    """Writes h2o's configuration into confdir and returns its command: one thread (like asyncdemod's one loop)
    serving docroot's files on 127.0.0.1:port, over TLS when tls is (certificate file, key file), with ALPN h2
    and http/1.1; access_log: a file for a line per request, "PROTOCOL STATUS" ("HTTP/2 200"), or none. (h2o
    drops its privileges before it would write a pid file: it has none.)"""
    ssl = f"  ssl:\n    certificate-file: {tls[0]}\n    key-file: {tls[1]}\n" if tls else ""
    log = f'access-log:\n  path: {access_log}\n  format: "%H %s"\n' if access_log else ""
    conf = os.path.join(confdir, f"h2o-{port}.conf")
    with open(conf, "w") as f:
        f.write(f"listen:\n  host: 127.0.0.1\n  port: {port}\n{ssl}num-threads: 1\n{log}"
                f"hosts:\n  default:\n    paths:\n      /:\n        file.dir: {docroot}\n")
    return ["h2o", "-c", conf]


def nginx_command(prefix, port, server, connections=1024, modules=(), tls=None, access_log=None):
    """Writes nginx's configuration into prefix and returns its command: a master and one worker (like
    asyncdemod's one loop) with its pid file, error log and temporary files under prefix, no access log, JSON by
    default, listening on 127.0.0.1:port (over TLS with HTTP/2 when tls is (certificate file, key file): ALPN h2
    and http/1.1) for up to `connections` connections; server: the server block's own directives; modules: the
    dynamic modules to load (.so paths); access_log: a file for a line per request, "PROTOCOL STATUS"
    ("HTTP/2.0 200"), or none."""
    loads = "".join(f"load_module {m};\n" for m in modules)
    listen = f"127.0.0.1:{port} ssl http2" if tls else f"127.0.0.1:{port}"
    certs = f"        ssl_certificate {tls[0]};\n        ssl_certificate_key {tls[1]};\n" if tls else ""
    log = f"log_format fields '$server_protocol $status';\n    access_log {access_log} fields" if access_log \
        else "access_log off"
    conf = os.path.join(prefix, f"nginx-{port}.conf")
    with open(conf, "w") as f:
        f.write(f"""{loads}daemon off;
worker_processes 1;
worker_rlimit_nofile {max(connections, 1024)};
pid {prefix}/nginx-{port}.pid;
error_log {prefix}/error-{port}.log warn;
events {{ worker_connections {connections}; }}
http {{
    {log};
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy; fastcgi_temp_path {prefix}/fcgi;
    uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
    default_type application/json;
    server {{
        listen {listen};
{certs}{server}
    }}
}}
""")
    return ["nginx", "-p", prefix, "-c", conf, "-e", f"{prefix}/error-{port}.log"]


def stop(proc):
    """Stops a server started in a session of its own (start_new_session): SIGTERM to it, SIGKILL after 10 s,
    then SIGKILL to its process group, where helpers of its own (h2o's, nginx's worker) are left."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
