// Call-test driver for Rust (src/rewards/code/native-call.ts puts the solution in `mod rv_solution` after this,
// with a shim that casts the function to a fn pointer of the test's arity: the argument and return types are
// inferred from the function itself). stdin: line 1 the run's nonce, line 2 the arguments as a JSON array; each
// argument is parsed into its parameter's type (references are leaked: the process makes one call), the return
// value is serialised to tagged JSON (compare.ts) and written once, as "<nonce> <json>\n", to fd 4.
#![allow(dead_code, unused_imports, unused_macros, non_snake_case)]

fn main() {
    rv_call::main(rv_solution::rv_call_)
}

mod rv_call {
    use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
    use std::io::{Read, Write};

    pub enum J { Null, Bool(bool), Num(String), Str(String), Arr(Vec<J>), Obj(Vec<(String, J)>) }

    fn die(why: &str) -> ! {
        eprintln!("call driver: {}", why);
        std::process::exit(3)
    }

    struct P<'a> { t: &'a [u8], i: usize, depth: usize }

    impl<'a> P<'a> {
        fn ws(&mut self) { while self.i < self.t.len() && (self.t[self.i] as char).is_ascii_whitespace() { self.i += 1 } }
        fn peek(&mut self) -> u8 { self.ws(); if self.i < self.t.len() { self.t[self.i] } else { 0 } }
        fn expect(&mut self, c: u8) { if self.peek() != c { die(&format!("bad arguments JSON: expected {}", c as char)) } self.i += 1 }
        fn hex4(&mut self) -> u32 {
            if self.i + 4 > self.t.len() { die("bad \\u escape") }
            let v = u32::from_str_radix(std::str::from_utf8(&self.t[self.i..self.i + 4]).unwrap_or("x"), 16).unwrap_or_else(|_| die("bad \\u escape"));
            self.i += 4;
            v
        }
        fn string(&mut self) -> String {
            self.expect(b'"');
            let mut out: Vec<u8> = Vec::new();
            while self.i < self.t.len() && self.t[self.i] != b'"' {
                let c = self.t[self.i];
                self.i += 1;
                if c != b'\\' { out.push(c); continue }
                if self.i >= self.t.len() { break }
                let e = self.t[self.i];
                self.i += 1;
                match e {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'u' => {
                        let mut cp = self.hex4();
                        if (0xD800..0xDC00).contains(&cp) && self.t.get(self.i) == Some(&b'\\') && self.t.get(self.i + 1) == Some(&b'u') {
                            self.i += 2;
                            let lo = self.hex4();
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
                        }
                        let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
                        let mut b = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
                    }
                    other => out.push(other),
                }
            }
            if self.i >= self.t.len() { die("unterminated string") }
            self.i += 1;
            String::from_utf8(out).unwrap_or_else(|_| die("a string argument is not UTF-8"))
        }
        fn value(&mut self) -> J {
            self.depth += 1;
            if self.depth > 200 { die("arguments nested too deeply") }
            let c = self.peek();
            let v = if c == b'[' {
                self.i += 1;
                let mut a = Vec::new();
                if self.peek() == b']' { self.i += 1 } else {
                    loop { a.push(self.value()); if self.peek() == b',' { self.i += 1; continue } self.expect(b']'); break }
                }
                J::Arr(a)
            } else if c == b'{' {
                self.i += 1;
                let mut o = Vec::new();
                if self.peek() == b'}' { self.i += 1 } else {
                    loop { let k = self.string(); self.expect(b':'); o.push((k, self.value())); if self.peek() == b',' { self.i += 1; continue } self.expect(b'}'); break }
                }
                J::Obj(o)
            } else if c == b'"' { J::Str(self.string()) }
            else if self.t[self.i..].starts_with(b"true") { self.i += 4; J::Bool(true) }
            else if self.t[self.i..].starts_with(b"false") { self.i += 5; J::Bool(false) }
            else if self.t[self.i..].starts_with(b"null") { self.i += 4; J::Null }
            else {
                let s = self.i;
                while self.i < self.t.len() && b"+-0123456789.eE".contains(&self.t[self.i]) { self.i += 1 }
                if s == self.i { die("bad arguments JSON") }
                J::Num(String::from_utf8_lossy(&self.t[s..self.i]).into_owned())
            };
            self.depth -= 1;
            v
        }
    }

    pub trait FromJ: Sized { fn from_j(j: &J) -> Self; }

    macro_rules! ints { ($($t:ty),*) => { $(impl FromJ for $t { fn from_j(j: &J) -> Self {
        match j { J::Num(s) if !s.contains(|c| c == '.' || c == 'e' || c == 'E') => s.parse::<$t>().unwrap_or_else(|_| die(&format!("{} out of range for {}", s, stringify!($t)))), _ => die(concat!("expected an integer for ", stringify!($t))) }
    } })* } }
    ints!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
    macro_rules! floats { ($($t:ty),*) => { $(impl FromJ for $t { fn from_j(j: &J) -> Self {
        match j { J::Num(s) => s.parse::<$t>().unwrap_or_else(|_| die("bad float")), _ => die(concat!("expected a number for ", stringify!($t))) }
    } })* } }
    floats!(f32, f64);
    impl FromJ for bool { fn from_j(j: &J) -> Self { match j { J::Bool(b) => *b, _ => die("expected a boolean") } } }
    impl FromJ for char { fn from_j(j: &J) -> Self { match j { J::Str(s) if s.chars().count() == 1 => s.chars().next().unwrap(), _ => die("expected a one-char string") } } }
    impl FromJ for String { fn from_j(j: &J) -> Self { match j { J::Str(s) => s.clone(), _ => die("expected a string") } } }
    impl FromJ for &'static str { fn from_j(j: &J) -> Self { Box::leak(String::from_j(j).into_boxed_str()) } }
    impl FromJ for &'static mut String { fn from_j(j: &J) -> Self { Box::leak(Box::new(String::from_j(j))) } }
    impl<T: FromJ> FromJ for Vec<T> { fn from_j(j: &J) -> Self { match j { J::Arr(a) => a.iter().map(T::from_j).collect(), _ => die("expected an array") } } }
    impl<T: FromJ> FromJ for VecDeque<T> { fn from_j(j: &J) -> Self { Vec::<T>::from_j(j).into() } }
    impl<T: FromJ + 'static> FromJ for &'static [T] { fn from_j(j: &J) -> Self { Box::leak(Vec::<T>::from_j(j).into_boxed_slice()) } }
    impl<T: FromJ + 'static> FromJ for &'static mut [T] { fn from_j(j: &J) -> Self { Box::leak(Vec::<T>::from_j(j).into_boxed_slice()) } }
    impl<T: FromJ + 'static> FromJ for &'static Vec<T> { fn from_j(j: &J) -> Self { Box::leak(Box::new(Vec::<T>::from_j(j))) } }
    impl<T: FromJ + 'static> FromJ for &'static mut Vec<T> { fn from_j(j: &J) -> Self { Box::leak(Box::new(Vec::<T>::from_j(j))) } }
    macro_rules! refs { ($($t:ty),*) => { $(impl FromJ for &'static $t { fn from_j(j: &J) -> Self { Box::leak(Box::new(<$t>::from_j(j))) } })* } }
    refs!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, bool, char, String);
    impl<T: FromJ> FromJ for Option<T> { fn from_j(j: &J) -> Self { match j { J::Null => None, _ => Some(T::from_j(j)) } } }
    impl<T: FromJ + std::hash::Hash + Eq> FromJ for HashSet<T> { fn from_j(j: &J) -> Self { Vec::<T>::from_j(j).into_iter().collect() } }
    impl<T: FromJ + Ord> FromJ for BTreeSet<T> { fn from_j(j: &J) -> Self { Vec::<T>::from_j(j).into_iter().collect() } }
    fn key<K: FromJ>(k: &str) -> K {
        let as_str = J::Str(k.to_string());
        let as_num = J::Num(k.to_string());
        if std::any::type_name::<K>().ends_with("String") || std::any::type_name::<K>() == "char" || std::any::type_name::<K>() == "&str" { K::from_j(&as_str) } else { K::from_j(&as_num) }
    }
    fn pairs<K: FromJ, V: FromJ>(j: &J) -> Vec<(K, V)> {
        match j {
            J::Obj(o) => o.iter().map(|(k, v)| (key::<K>(k), V::from_j(v))).collect(),
            J::Arr(a) => a.iter().map(|p| match p { J::Arr(kv) if kv.len() == 2 => (K::from_j(&kv[0]), V::from_j(&kv[1])), _ => die("expected [key, value] pairs") }).collect(),
            _ => die("expected an object"),
        }
    }
    impl<K: FromJ + std::hash::Hash + Eq, V: FromJ> FromJ for HashMap<K, V> { fn from_j(j: &J) -> Self { pairs(j).into_iter().collect() } }
    impl<K: FromJ + Ord, V: FromJ> FromJ for BTreeMap<K, V> { fn from_j(j: &J) -> Self { pairs(j).into_iter().collect() } }
    macro_rules! tuples { ($(($($n:tt $t:ident),+)),*) => { $(impl<$($t: FromJ),+> FromJ for ($($t,)+) { fn from_j(j: &J) -> Self {
        match j { J::Arr(a) if a.len() == [$($n),+].len() => ($($t::from_j(&a[$n]),)+), _ => die("expected an array (tuple)") }
    } })* } }
    tuples!((0 A), (0 A, 1 B), (0 A, 1 B, 2 C), (0 A, 1 B, 2 C, 3 D), (0 A, 1 B, 2 C, 3 D, 4 E));

    // ---- serialisation
    pub trait ToJ { fn to_j(&self, o: &mut String); }
    fn str_to(o: &mut String, s: &str) {
        o.push('"');
        for c in s.chars() {
            match c {
                '"' => o.push_str("\\\""),
                '\\' => o.push_str("\\\\"),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => o.push_str(&format!("\\u{:04x}", c as u32)),
                c => o.push(c),
            }
        }
        o.push('"');
    }
    const SAFE: i128 = 1 << 53;
    macro_rules! int_out { ($($t:ty),*) => { $(impl ToJ for $t { fn to_j(&self, o: &mut String) {
        let v = *self as i128;
        if (-SAFE..=SAFE).contains(&v) { o.push_str(&self.to_string()) } else { o.push_str(&format!("{{\"$int\":\"{}\"}}", self)) }
    } })* } }
    int_out!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);
    impl ToJ for i128 { fn to_j(&self, o: &mut String) { if (-SAFE..=SAFE).contains(self) { o.push_str(&self.to_string()) } else { o.push_str(&format!("{{\"$int\":\"{}\"}}", self)) } } }
    impl ToJ for u128 { fn to_j(&self, o: &mut String) { if *self <= SAFE as u128 { o.push_str(&self.to_string()) } else { o.push_str(&format!("{{\"$int\":\"{}\"}}", self)) } } }
    macro_rules! float_out { ($($t:ty),*) => { $(impl ToJ for $t { fn to_j(&self, o: &mut String) {
        let s = if self.is_nan() { "nan".to_string() } else if self.is_infinite() { if *self > 0.0 { "inf".to_string() } else { "-inf".to_string() } } else { format!("{:e}", self) };
        o.push_str(&format!("{{\"$float\":\"{}\"}}", s))
    } })* } }
    float_out!(f32, f64);
    impl ToJ for bool { fn to_j(&self, o: &mut String) { o.push_str(if *self { "true" } else { "false" }) } }
    impl ToJ for char { fn to_j(&self, o: &mut String) { str_to(o, &self.to_string()) } }
    impl ToJ for str { fn to_j(&self, o: &mut String) { str_to(o, self) } }
    impl ToJ for String { fn to_j(&self, o: &mut String) { str_to(o, self) } }
    impl ToJ for () { fn to_j(&self, o: &mut String) { o.push_str("null") } }
    impl<T: ToJ + ?Sized> ToJ for &T { fn to_j(&self, o: &mut String) { (**self).to_j(o) } }
    impl<T: ToJ + ?Sized> ToJ for &mut T { fn to_j(&self, o: &mut String) { (**self).to_j(o) } }
    impl<T: ToJ + ?Sized> ToJ for Box<T> { fn to_j(&self, o: &mut String) { (**self).to_j(o) } }
    impl<T: ToJ> ToJ for Option<T> { fn to_j(&self, o: &mut String) { match self { None => o.push_str("null"), Some(v) => v.to_j(o) } } }
    fn seq<'a, T: ToJ + 'a>(o: &mut String, it: impl Iterator<Item = &'a T>, set: bool) {
        o.push_str(if set { "{\"$set\":[" } else { "[" });
        for (k, x) in it.enumerate() { if k > 0 { o.push(',') } x.to_j(o) }
        o.push_str(if set { "]}" } else { "]" });
    }
    impl<T: ToJ> ToJ for [T] { fn to_j(&self, o: &mut String) { seq(o, self.iter(), false) } }
    impl<T: ToJ, const N: usize> ToJ for [T; N] { fn to_j(&self, o: &mut String) { seq(o, self.iter(), false) } }
    impl<T: ToJ> ToJ for Vec<T> { fn to_j(&self, o: &mut String) { seq(o, self.iter(), false) } }
    impl<T: ToJ> ToJ for VecDeque<T> { fn to_j(&self, o: &mut String) { seq(o, self.iter(), false) } }
    impl<T: ToJ> ToJ for HashSet<T> { fn to_j(&self, o: &mut String) { seq(o, self.iter(), true) } }
    impl<T: ToJ> ToJ for BTreeSet<T> { fn to_j(&self, o: &mut String) { seq(o, self.iter(), true) } }
    fn map_to<'a, K: ToJ + 'a, V: ToJ + 'a>(o: &mut String, it: impl Iterator<Item = (&'a K, &'a V)>) {
        o.push_str("{\"$map\":[");
        for (k, (a, b)) in it.enumerate() { if k > 0 { o.push(',') } o.push('['); a.to_j(o); o.push(','); b.to_j(o); o.push(']') }
        o.push_str("]}");
    }
    impl<K: ToJ, V: ToJ> ToJ for HashMap<K, V> { fn to_j(&self, o: &mut String) { map_to(o, self.iter()) } }
    impl<K: ToJ, V: ToJ> ToJ for BTreeMap<K, V> { fn to_j(&self, o: &mut String) { map_to(o, self.iter()) } }
    macro_rules! tuple_out { ($(($($n:tt $t:ident),+)),*) => { $(impl<$($t: ToJ),+> ToJ for ($($t,)+) { fn to_j(&self, o: &mut String) {
        o.push_str("{\"$tuple\":[");
        $( if $n > 0 { o.push(',') } self.$n.to_j(o); )+
        o.push_str("]}");
    } })* } }
    tuple_out!((0 A), (0 A, 1 B), (0 A, 1 B, 2 C), (0 A, 1 B, 2 C, 3 D), (0 A, 1 B, 2 C, 3 D, 4 E));

    // ---- the call: implemented for fn pointers of each arity; the shim casts the function to one
    pub trait Call { fn call(self, a: &[J]) -> String; }
    macro_rules! calls { ($(($($n:tt $t:ident),*)),*) => { $(impl<R: ToJ, $($t: FromJ),*> Call for fn($($t),*) -> R { fn call(self, a: &[J]) -> String {
        let n: usize = 0 $(+ ($n as usize) * 0 + 1)*;
        if a.len() != n { die(&format!("the function takes {} arguments, the test gives {}", n, a.len())) }
        let r = self($($t::from_j(&a[$n])),*);
        let mut o = String::new();
        r.to_j(&mut o);
        o
    } })* } }
    calls!((), (0 A), (0 A, 1 B), (0 A, 1 B, 2 C), (0 A, 1 B, 2 C, 3 D), (0 A, 1 B, 2 C, 3 D, 4 E), (0 A, 1 B, 2 C, 3 D, 4 E, 5 F), (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G));

    pub fn invoke<F: Call>(f: F, a: &[J]) -> String { f.call(a) }

    pub fn main(call: fn(&[J]) -> String) {
        let mut input = Vec::new();
        if std::io::stdin().read_to_end(&mut input).is_err() { die("cannot read stdin") }
        let nl = input.iter().position(|&c| c == b'\n').unwrap_or_else(|| die("no nonce"));
        let nonce = String::from_utf8_lossy(&input[..nl]).into_owned();
        let mut p = P { t: &input[nl + 1..], i: 0, depth: 0 };
        let args = match p.value() { J::Arr(a) => a, _ => die("arguments are not an array") };
        let out = call(&args);
        use std::os::unix::io::FromRawFd;
        let mut f = unsafe { std::fs::File::from_raw_fd(4) };
        if f.write_all(format!("{} {}\n", nonce, out).as_bytes()).is_err() { die("cannot write the result") }
        std::process::exit(0)
    }
}
