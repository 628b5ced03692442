//! `-v` / `-vv`: what the `moneykit` client does, on stderr. Only the client's own events are
//! printed (target `moneykit::…`), never another crate's: the client records no secret, token
//! or account number in its spans and events, and other crates' logs were not written with that
//! promise (HTTP libraries may log headers at their most verbose).

use std::fmt;

use tracing::{Event, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::{FmtSpan, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

/// Prints to stderr from now on. `-v`: one line per attempt, retry and failure (the client's
/// `debug` events, which name their operation). `-vv`: also each call's span as it opens and
/// closes, with the fields it recorded (link, status, duration, error kind), and the span
/// around every event. Nothing without `-v`.
pub fn install(verbosity: u8) {
    let only_the_client = |level| Targets::new().with_target("moneykit::", level);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .without_time()
        .with_target(false);
    let installed = match verbosity {
        0 => return,
        1 => tracing_subscriber::registry()
            .with(
                layer
                    .event_format(EventOnly)
                    .with_filter(only_the_client(LevelFilter::DEBUG)),
            )
            .try_init(),
        _ => tracing_subscriber::registry()
            .with(
                layer
                    .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
                    .with_filter(only_the_client(LevelFilter::TRACE)),
            )
            .try_init(),
    };
    // Fails only if a subscriber is already set; that one stays.
    let _ = installed;
}

/// `moneykit: attempt failed operation="get_link" attempt=1 status=503 …`: the event's own
/// fields, without the span context (whose fields repeat as they are recorded).
struct EventOnly;

impl<S, N> FormatEvent<S, N> for EventOnly
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write!(writer, "moneykit: ")?;
        ctx.format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}
