//! The email outbox: claims are exclusive across workers, delivery goes through real SMTP,
//! and failures are retried with backoff until they are marked failed.

use backend::auth::tokens::LinkKey;
use backend::email::delivery::{deliver_due, Delivery, Mailer, Transport};
use backend::email::outbox;
use backend::email::templates::{welcome, Brand};
use backend::settings::service::email_context;
use backend::PublicUrl;
use sqlx::PgPool;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

async fn queue(pool: &PgPool, n: usize) {
    let mut tx = pool.begin().await.unwrap();
    let public_url = PublicUrl::new("http://x");
    let emails = email_context(&mut *tx, &public_url).await.unwrap();
    for i in 0..n {
        let email = welcome(
            &Brand::named("Codex"),
            &format!("user{i}@example.com"),
            "User",
            "http://x/library",
            "",
        );
        outbox::enqueue(&mut tx, &emails, &email).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// A minimal SMTP server: accepts every message (or refuses every recipient) and reports
/// each message's data.
async fn smtp_sink(accept: bool) -> (String, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let sender = sender.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            sender.send(data.take().unwrap()).unwrap();
                            write.write_all(b"250 queued\r\n").await.unwrap();
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
                        "RCPT" if !accept => b"550 no such mailbox\r\n",
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
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (format!("smtp://{addr}"), receiver)
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn concurrent_workers_never_claim_the_same_email(pool: PgPool) {
    queue(&pool, 20).await;
    let claim = |pool: PgPool| async move {
        let mut tx = pool.begin().await.unwrap();
        let claimed = outbox::claim_due(&mut tx, 15, time::Duration::minutes(5))
            .await
            .unwrap();
        // Hold the locks a moment so the other worker runs while these rows are taken.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        tx.commit().await.unwrap();
        claimed.into_iter().map(|e| e.id).collect::<Vec<_>>()
    };
    let (a, b) = tokio::join!(claim(pool.clone()), claim(pool.clone()));
    assert!(
        !a.is_empty() && !b.is_empty(),
        "both workers got work: {} and {}",
        a.len(),
        b.len()
    );
    let mut all: Vec<_> = a.iter().chain(b.iter()).copied().collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), a.len() + b.len(), "no email claimed twice");
    assert_eq!(all.len(), 20);
}

fn smtp_delivery(url: &str) -> Delivery {
    Delivery {
        transport: Transport::Smtp(Box::new(
            Mailer::new(url, "Codex <no-reply@codex.test>").unwrap(),
        )),
        link_key: LinkKey::from_secret(&"t".repeat(64)),
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn due_emails_are_delivered_over_smtp_once(pool: PgPool) {
    queue(&pool, 3).await;
    let (url, mut received) = smtp_sink(true).await;
    let mailer = smtp_delivery(&url);

    assert_eq!(deliver_due(&pool, &mailer).await.unwrap(), 3);
    assert_eq!(
        deliver_due(&pool, &mailer).await.unwrap(),
        0,
        "nothing is sent twice"
    );
    let mut messages = Vec::new();
    while let Ok(message) = received.try_recv() {
        messages.push(message);
    }
    assert_eq!(messages.len(), 3);
    assert!(messages[0].contains("Subject: Welcome to Codex"));
    assert!(messages[0].contains("text/html") && messages[0].contains("text/plain"));
    let sent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE status = 'sent' AND sent_at IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(sent, 3);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn refused_emails_are_retried_with_backoff_then_marked_failed(pool: PgPool) {
    queue(&pool, 1).await;
    let (url, _received) = smtp_sink(false).await;
    let mailer = smtp_delivery(&url);

    assert_eq!(deliver_due(&pool, &mailer).await.unwrap(), 0);
    let (status, attempts, error, wait): (String, i32, Option<String>, f64) = sqlx::query_as(
        "SELECT status, attempts, last_error, extract(epoch FROM next_attempt_at - now())::float8 FROM email_outbox",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(error.unwrap().contains("550"));
    assert!(
        (20.0..=31.0).contains(&wait),
        "first retry after about 30 s, got {wait}"
    );
    assert_eq!(deliver_due(&pool, &mailer).await.unwrap(), 0, "not due yet");

    for _ in 1..outbox::MAX_ATTEMPTS {
        sqlx::query("UPDATE email_outbox SET next_attempt_at = now()")
            .execute(&pool)
            .await
            .unwrap();
        deliver_due(&pool, &mailer).await.unwrap();
    }
    let (status, attempts): (String, i32) =
        sqlx::query_as("SELECT status, attempts FROM email_outbox")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), attempts),
        ("failed", outbox::MAX_ATTEMPTS)
    );
}
