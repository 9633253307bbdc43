"""The plugin's web server: CDP calls it to start jobs and to deliver their input pages.

Try it locally with `python main.py` (it listens on SERVER_HOST:SERVER_PORT, default
0.0.0.0:8000). In production gunicorn serves `main:app`; see gunicorn.conf.py.
"""

from flask import Flask

from pam.server import Server

app = Flask(__name__)

# Finds every service folder next to this file (each holds a service.yaml) and serves
# it at POST /service/<endpoint>. A folder that cannot load is logged, by name and reason.
server = Server(app)

if __name__ == "__main__":
    server.run()
