//! Any bytes through every response type and documented error status of `moneykit-api`.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    moneykit_fuzz::decode::decode(bytes);
});
