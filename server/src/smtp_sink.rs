//! A minimal SMTP server for tests and benchmarks (never started by Codex itself): it
//! accepts every message, or refuses every recipient
//! with a reply it is given; a recipient whose address starts with `bounce` is refused for
//! good (550) whatever the mode. Each message it takes is reported as `X-Rcpt: <address>`
//! followed by its data, as a mail client would read it.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

#[derive(Clone, Copy, Default)]
pub struct SinkMode {
    /// The reply to every RCPT (`"451 try later"`), when it refuses everyone.
    pub refuse_all: Option<&'static str>,
    /// How long it takes to answer the end of a message's data.
    pub data_delay: Duration,
}

/// Starts a sink; its `smtp://` URL and the messages it takes.
pub async fn smtp_sink(mode: SinkMode) -> (String, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            // Replies go out at once, as a mail server's do (no waiting on the client's ACK).
            let _ = socket.set_nodelay(true);
            let sender = sender.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                let mut recipient = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            tokio::time::sleep(mode.data_delay).await;
                            let message = format!("X-Rcpt: {recipient}\n{}", data.take().unwrap());
                            if write.write_all(b"250 queued\r\n").await.is_err() {
                                break;
                            }
                            let _ = sender.send(message);
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "RCPT" => {
                            recipient = line
                                .split(['<', '>'])
                                .nth(1)
                                .unwrap_or_default()
                                .to_string();
                            if recipient.starts_with("bounce") {
                                b"550 5.1.1 no such mailbox\r\n"
                            } else if let Some(reply) = mode.refuse_all {
                                let _ = write.write_all(format!("{reply}\r\n").as_bytes()).await;
                                continue;
                            } else {
                                b"250 ok\r\n"
                            }
                        }
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    if write.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (format!("smtp://{addr}"), receiver)
}
