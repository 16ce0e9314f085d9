//! The SQLite writer: one thread that owns the only write connection and commits concurrent
//! writes in groups.
//!
//! SQLite serializes writers; many threads each opening a transaction would queue on the
//! file lock, sleep in the busy handler and pay one commit each. Instead every write is sent
//! here as a job. The thread takes whatever jobs are waiting (up to a batch limit), runs them
//! in one `BEGIN IMMEDIATE` transaction — each job in its own savepoint, so a failing job is
//! rolled back alone — commits once, and only then tells each caller its result. A caller is
//! therefore never told "stored" for a write that a crash could still lose.

use std::sync::mpsc;
use std::thread::JoinHandle;

use diesel::sqlite::SqliteConnection;
use tokio::sync::oneshot;

use super::{Conn, DbError};

/// What a job hands back after running: a closure that delivers its result once the outcome
/// of the commit is known.
type Deliver = Box<dyn FnOnce(Result<(), DbError>) + Send>;
type Job = Box<dyn FnOnce(&mut Conn<'_>) -> Deliver + Send>;

/// Handle to the writer thread. Dropping it lets the thread finish queued jobs and stop.
pub struct Writer {
    sender: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

/// A submitted write, waiting for its commit.
pub struct Pending<T> {
    receiver: oneshot::Receiver<Result<T, DbError>>,
}

fn writer_gone() -> DbError {
    DbError::Unavailable("the database writer stopped before committing this write".into())
}

impl<T> Pending<T> {
    pub async fn recv_result(self) -> Result<T, DbError> {
        self.receiver.await.unwrap_or_else(|_| Err(writer_gone()))
    }

    pub fn blocking_recv_result(self) -> Result<T, DbError> {
        self.receiver
            .blocking_recv()
            .unwrap_or_else(|_| Err(writer_gone()))
    }
}

impl Writer {
    /// Opens the write connection to `path` (creating the file) and starts the thread.
    pub fn start(path: &str, batch_max: usize) -> Result<Writer, DbError> {
        let conn = super::open_sqlite(path)?;
        let (sender, receiver) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn({
                let path = path.to_owned();
                move || run(&path, conn, receiver, batch_max.max(1))
            })
            .map_err(|e| DbError::Unavailable(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer {
            sender: Some(sender),
            thread: Some(thread),
        })
    }

    /// Queues `f`; the result arrives through the returned [`Pending`] after the commit.
    pub fn submit<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError> + Send + 'static,
    ) -> Result<Pending<T>, DbError> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn: &mut Conn<'_>| {
            let result = conn.transaction(f);
            Box::new(move |commit: Result<(), DbError>| {
                // The caller may have gone away (client disconnected): nothing to tell then.
                let _ = tx.send(commit.and(result));
            })
        });
        self.sender
            .as_ref()
            .ok_or_else(writer_gone)?
            .send(job)
            .map_err(|_| writer_gone())?;
        Ok(Pending { receiver: rx })
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.sender.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(path: &str, mut conn: SqliteConnection, receiver: mpsc::Receiver<Job>, batch_max: usize) {
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < batch_max {
            match receiver.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let size = batch.len();
        let mut delivers: Vec<Deliver> = Vec::with_capacity(size);
        let mut panicked = false;
        let outcome = conn.immediate_transaction(|c| {
            for job in batch {
                // A panicking job is a bug; it must not take the writer down with it, nor
                // leave its half-done savepoint to be committed: the whole group is undone.
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    job(&mut Conn::Sqlite(c))
                }));
                match run {
                    Ok(deliver) => delivers.push(deliver),
                    Err(_) => {
                        tracing::error!("a database write panicked; rolling back its group");
                        panicked = true;
                        return Err(diesel::result::Error::RollbackTransaction);
                    }
                }
            }
            Ok::<_, diesel::result::Error>(())
        });
        let commit = outcome.map_err(|e| {
            tracing::error!(error = %e, writes = size, "group commit failed");
            DbError::from(e)
        });
        for deliver in delivers {
            deliver(commit.clone());
        }
        if panicked {
            // The unwind skipped diesel's savepoint bookkeeping: start on a fresh connection
            // (dropping the old one rolls back whatever it still holds).
            match super::open_sqlite(path) {
                Ok(fresh) => conn = fresh,
                Err(e) => tracing::error!(error = %e, "cannot reopen the SQLite writer connection"),
            }
        }
        // Jobs not run (BEGIN failed) were dropped with their senders: callers get an error.
        tracing::trace!(writes = size, "group commit");
    }
}
