//! Reading article text from files or standard input, refusing what redline
//! cannot treat as text: missing files, binary data, invalid UTF-8, and
//! anything over the size limit.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// 64 MiB: far above any article, low enough that a stray disk image is
/// refused before it eats memory. Raise it with `--max-bytes`.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Read `path` (`-` for standard input) as UTF-8 text.
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String> {
    let label = display_name(path);
    let bytes = read_bytes(path, &label, max_bytes)?;
    check_text(bytes, &label)
}

pub fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

fn read_bytes(path: &Path, label: &str, max_bytes: u64) -> Result<Vec<u8>> {
    let too_big = || Error::Input {
        path: label.to_string(),
        msg: format!("larger than the limit of {max_bytes} bytes"),
        hint: Some("raise the limit with --max-bytes BYTES if this really is one article".into()),
    };
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(max_bytes + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::io("reading standard input", e))?;
    } else {
        let f = std::fs::File::open(path).map_err(|e| Error::Input {
            path: label.to_string(),
            msg: match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => e.to_string(),
            },
            hint: Some("check the path; use - to read standard input".into()),
        })?;
        let md = f.metadata().map_err(|e| Error::io(label, e))?;
        if md.is_dir() {
            return Err(Error::Input { path: label.to_string(), msg: "is a directory, not a file".into(), hint: None });
        }
        if md.len() > max_bytes {
            return Err(too_big());
        }
        // Sized once from the metadata: growing by doubling would copy a
        // book twice over and touch every page again.
        buf.reserve_exact(usize::try_from(md.len()).unwrap_or(0));
        f.take(max_bytes + 1).read_to_end(&mut buf).map_err(|e| Error::io(format!("reading {label}"), e))?;
    }
    if buf.len() as u64 > max_bytes {
        return Err(too_big());
    }
    Ok(buf)
}

/// Validate raw bytes as article text: no NUL bytes, valid UTF-8. UTF-16
/// (recognised by its byte order mark) is refused by name rather than
/// called binary: redline keeps the exact bytes it is given, so it does
/// not convert them itself.
pub fn check_text(bytes: Vec<u8>, label: &str) -> Result<String> {
    let utf16 = match bytes.get(..2) {
        Some([0xff, 0xfe]) => Some("UTF-16LE"),
        Some([0xfe, 0xff]) => Some("UTF-16BE"),
        _ => None,
    };
    if let Some(enc) = utf16 {
        return Err(Error::Input {
            path: label.to_string(),
            msg: format!(
                "is {enc} text (it starts with a {enc} byte order mark); redline stores UTF-8 text exactly as given"
            ),
            hint: Some(format!("convert it first: iconv -f {enc} -t UTF-8 FILE")),
        });
    }
    if let Some(at) = memchr::memchr(0, &bytes) {
        return Err(Error::Input {
            path: label.to_string(),
            msg: format!("looks binary (NUL byte at offset {at})"),
            hint: Some("redline stores text; extract the article text first".into()),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Error::Input {
            path: label.to_string(),
            msg: format!("is not valid UTF-8 (invalid byte at offset {at})"),
            hint: Some("convert it first, e.g. `iconv -f latin1 -t utf-8`".into()),
        }
    })
}
