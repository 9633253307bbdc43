"""gunicorn settings for the plugin: `gunicorn main:app` reads this file by itself."""

import os

bind = f"{os.environ.get('SERVER_HOST', '0.0.0.0')}:{os.environ.get('SERVER_PORT', '8000')}"

# Exactly one worker process. A job lives in the process that received its `start`, and
# CDP's later `dataset` calls for that job must reach that same process: with two
# processes, half of the pages would land where the job does not exist. Concurrency
# comes from threads instead (each job also runs its work on threads of its own).
workers = 1
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

# Pages can be large; give a slow upload from CDP time to arrive.
timeout = 300
graceful_timeout = 60

accesslog = "-"
