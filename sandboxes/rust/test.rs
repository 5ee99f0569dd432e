// Self-test of the Rust sandbox: reads "ping" on stdin, prints OK.
use std::io::Read;

fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).unwrap();
    println!("{}", if s.trim() == "ping" { "OK" } else { "NO" });
}
