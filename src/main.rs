//! The thin binary: all behaviour lives in the library.
fn main() -> std::process::ExitCode {
    redline::cli::main()
}
