#!/usr/bin/env python3
"""A small counting SMTP sink for tests/alerts/kill_serve_test.sh (stdlib only).

    counting_sink.py PORT_FILE LOG_FILE [DELAY_MS]

Listens on 127.0.0.1 on a free port and writes that port to PORT_FILE once it accepts. Speaks
enough SMTP for koban's client (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no STARTTLS).
For every message whose DATA ends it waits DELAY_MS (so that a test can kill the sender
mid-delivery), then appends one line per recipient, "<recipient>\t<Message-ID>", to LOG_FILE
(flushed at once) and only then answers 250: a line in the log is a message the sink accepted.
Limits: lines of 4 KB, messages of 1 MB, 100 recipients, 10 minutes idle per connection.
"""
import os
import socketserver
import sys
import threading
import time

MAX_LINE = 4096
MAX_DATA = 1 << 20
MAX_RCPT = 100

log_lock = threading.Lock()


class Handler(socketserver.StreamRequestHandler):
    timeout = 600

    def reply(self, text):
        self.wfile.write((text + "\r\n").encode("ascii"))
        self.wfile.flush()

    def readline(self):
        line = self.rfile.readline(MAX_LINE + 1)
        if not line:
            return None
        if len(line) > MAX_LINE:
            raise ValueError("line too long")
        return line.rstrip(b"\r\n")

    def handle(self):
        try:
            self.session()
        except (OSError, ValueError):
            pass  # the client went away (kill -9) or misbehaved: drop the connection

    def session(self):
        self.reply("220 counting-sink ESMTP")
        sender, rcpts = None, []
        while True:
            line = self.readline()
            if line is None:
                return
            cmd = line[:4].upper()
            if cmd in (b"EHLO", b"HELO"):
                sender, rcpts = None, []
                if cmd == b"EHLO":
                    self.reply("250-counting-sink")
                    self.reply("250-8BITMIME")
                    self.reply("250 SIZE 1048576")
                else:
                    self.reply("250 counting-sink")
            elif cmd == b"MAIL":
                sender, rcpts = line, []
                self.reply("250 2.1.0 Ok")
            elif cmd == b"RCPT":
                if sender is None:
                    self.reply("503 5.5.1 MAIL first")
                elif len(rcpts) >= MAX_RCPT:
                    self.reply("452 4.5.3 Too many recipients")
                else:
                    text = line.decode("utf-8", "replace")
                    start, end = text.find("<"), text.rfind(">")
                    rcpts.append(text[start + 1:end] if 0 <= start < end else text[8:].strip())
                    self.reply("250 2.1.5 Ok")
            elif cmd == b"DATA":
                if not rcpts:
                    self.reply("503 5.5.1 RCPT first")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                message_id, size = "", 0
                while True:
                    data = self.readline()
                    if data is None:
                        return  # cut off mid-message: not accepted
                    if data == b".":
                        break
                    size += len(data) + 2
                    if size > MAX_DATA:
                        raise ValueError("message too big")
                    if not message_id and data[:11].lower() == b"message-id:":
                        message_id = data[11:].strip().decode("ascii", "replace")
                time.sleep(DELAY)
                with log_lock:
                    with open(LOG, "a", encoding="utf-8") as f:
                        for r in rcpts:
                            f.write(r + "\t" + message_id + "\n")
                self.reply("250 2.0.0 Ok: queued")
                sender, rcpts = None, []
            elif cmd == b"RSET":
                sender, rcpts = None, []
                self.reply("250 2.0.0 Ok")
            elif cmd == b"NOOP":
                self.reply("250 2.0.0 Ok")
            elif cmd == b"QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Command not recognized")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: counting_sink.py PORT_FILE LOG_FILE [DELAY_MS]")
    LOG = sys.argv[2]
    DELAY = (int(sys.argv[3]) if len(sys.argv) > 3 else 0) / 1000.0
    open(LOG, "a").close()
    with Server(("127.0.0.1", 0), Handler) as server:
        port = server.server_address[1]
        with open(sys.argv[1] + ".tmp", "w") as f:
            f.write(str(port))
        os.replace(sys.argv[1] + ".tmp", sys.argv[1])
        server.serve_forever()
