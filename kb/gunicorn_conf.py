"""gunicorn's settings for production: ``gunicorn -c python:kb.gunicorn_conf kb.wsgi``.

Threaded workers: a client that sends its request a byte a second holds one thread (gunicorn
hands a connection to a thread only once bytes arrive, and gives it back after 5 s of silence),
not a whole worker, so the other threads keep answering. Put a buffering proxy in front
(README) when more slow connections than threads are a risk. A large log is diagnosed in a
process of the worker's own (kb/diagnosis_processes.py), so it does not hold up the threads.
"""

import os

bind = os.environ.get("KB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
worker_class = "gthread"
threads = int(os.environ.get("KB_THREADS", "8"))
# A worker whose threads all stop answering for this long is restarted.
timeout = 30
graceful_timeout = 30
keepalive = 5
limit_request_line = 4094
limit_request_fields = 100
accesslog = "-"
# The path without its query string: a search may hold a pasted line, and the line a secret.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
# ...and the path without a password pasted into it.
logger_class = "kb.log_filters.RedactingAccessLogger"
# https is known from the header named in KB_PROXY_SSL_HEADER alone, which the proxy
# overwrites; gunicorn would otherwise take X-Forwarded-Proto from any local client as its own.
forwarded_allow_ips = ""
# No control socket: it lives at one path per user, which two instances on a machine would share.
control_socket_disable = True
