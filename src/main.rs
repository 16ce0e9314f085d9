//! The `doorstep` command line. Thin: parses arguments and calls the library.

fn main() {}
