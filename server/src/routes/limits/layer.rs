//! The limits as a tower layer in front of the handlers. Hand-written rather than
//! `axum::middleware::from_fn`, which boxes the rest of the stack and its future for every
//! request: here an admitted request goes straight to the inner service's own future, and a
//! refused one gets a ready answer.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures::future::{ready, Either, Ready};
use tower::{Layer, Service};

use super::Limits;

/// Which budgets a router's requests are checked against.
#[derive(Clone, Copy, Debug)]
enum Check {
    /// `/api`: body size, then the address and page budgets.
    Api,
    /// The address budget only (the sign-in pages).
    Address,
}

#[derive(Clone)]
pub struct LimitsLayer {
    limits: Arc<Limits>,
    check: Check,
}

impl LimitsLayer {
    /// `/api`: body size, then the address and page budgets; the client's address is left in
    /// the request for the token resolver.
    pub fn api(limits: Arc<Limits>) -> LimitsLayer {
        LimitsLayer {
            limits,
            check: Check::Api,
        }
    }

    /// Pages that write on every visit (`/auth/login` stores a sign-in state): the address
    /// budget.
    pub fn per_address(limits: Arc<Limits>) -> LimitsLayer {
        LimitsLayer {
            limits,
            check: Check::Address,
        }
    }
}

impl<S> Layer<S> for LimitsLayer {
    type Service = LimitsService<S>;

    fn layer(&self, inner: S) -> LimitsService<S> {
        LimitsService {
            inner,
            limits: self.limits.clone(),
            check: self.check,
        }
    }
}

#[derive(Clone)]
pub struct LimitsService<S> {
    inner: S,
    limits: Arc<Limits>,
    check: Check,
}

impl<S> Service<Request> for LimitsService<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let admitted = match self.check {
            Check::Api => self.limits.admit_api(&mut request),
            Check::Address => self.limits.admit_address(&request),
        };
        match admitted {
            Ok(()) => Either::Right(self.inner.call(request)),
            Err(refused) => Either::Left(ready(Ok(refused.into_response()))),
        }
    }
}
