//! Group commit for webhook deliveries: one writer task stores whatever arrived while the
//! previous commit was running in a single transaction, so a burst of deliveries costs a few
//! commits instead of one fsync each, and every caller still answers only after its commit.

use tokio::sync::{mpsc, oneshot};

use super::Intake;
use crate::store::{Store, StoreError};

/// Deliveries stored per transaction at most.
const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<usize, String>>;

/// Cheap to clone.
#[derive(Clone, Debug)]
pub struct IngestQueue {
    tx: mpsc::Sender<(Intake, Reply)>,
}

impl IngestQueue {
    /// Starts the writer task (needs a Tokio runtime).
    pub fn start(store: Store) -> IngestQueue {
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(writer(store, rx));
        IngestQueue { tx }
    }

    /// Stores a delivery durably; returns how many of its jobs were new.
    pub async fn store(&self, intake: Intake) -> Result<usize, String> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((intake, reply))
            .await
            .map_err(|_| "the webhook writer stopped".to_owned())?;
        answer
            .await
            .map_err(|_| "the webhook writer stopped".to_owned())?
    }
}

async fn writer(store: Store, mut rx: mpsc::Receiver<(Intake, Reply)>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let intakes: Vec<&Intake> = batch.iter().map(|(i, _)| i).collect();
        let results: Vec<Result<usize, String>> = match commit(&store, &intakes).await {
            Ok(counts) => counts.into_iter().map(Ok).collect(),
            // One bad delivery must not fail the others: store them one by one.
            Err(e) => {
                tracing::warn!(error = %e, size = batch.len(), "batched webhook insert failed; storing one by one");
                let mut one_by_one = Vec::new();
                for intake in &intakes {
                    let one = commit(&store, &[intake]).await;
                    one_by_one.push(one.map(|c| c[0]).map_err(|e| e.to_string()));
                }
                one_by_one
            }
        };
        for ((_, reply), result) in batch.into_iter().zip(results) {
            let _ = reply.send(result);
        }
    }
}

async fn commit(store: &Store, intakes: &[&Intake]) -> Result<Vec<usize>, StoreError> {
    let rows: Vec<_> = intakes
        .iter()
        .map(|i| (&i.event, i.jobs.as_slice(), i.supersede.as_ref()))
        .collect();
    store.ingest_webhooks(&rows).await
}
