//! The browser entry point; everything else is in the library.

fn main() {
    budtags_web::start();
}
