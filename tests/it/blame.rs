//! `redline blame`: sentences followed through rewordings and moves, on the
//! `fixtures/bridge-story` chain (see its README).

use crate::common::{fixture, Env};

fn bridge() -> Env {
    let env = Env::new();
    for i in 1..=4 {
        env.cmd().args(["commit", "bridge"]).arg(fixture(&format!("bridge-story/000{i}.txt"))).ok();
    }
    env
}

#[test]
fn a_sentence_reworded_twice_and_moved_once_shows_all_three_events() {
    let env = bridge();
    let out = env.cmd().args(["blame", "bridge", "--color", "never"]).ok();
    assert!(
        out.contains("r1 introduced · r2 reworded: said → stated · r3 moved from ¶3 · r4 reworded: 4 → 6\n      Officials stated the project ran over budget by about $6 million."),
        "{out}"
    );
    // Nothing else changed: every other sentence was introduced once.
    let others = out.lines().filter(|l| l.starts_with("  r")).filter(|l| *l != "  r1 introduced").count();
    assert_eq!(others, 1, "{out}");
}

#[test]
fn porcelain_and_json_agree_and_name_revisions() {
    let env = bridge();
    let porcelain = env.cmd().args(["blame", "bridge", "--porcelain"]).ok();
    let budget = porcelain.lines().find(|l| l.contains("over budget")).expect("budget line");
    assert_eq!(
        budget,
        "2\t1\t4\t1:introduced,2:reworded,3:moved,4:reworded\tOfficials stated the project ran over budget by about $6 million."
    );
    let v: serde_json::Value = serde_json::from_str(&env.cmd().args(["blame", "bridge", "--json"]).ok()).unwrap();
    assert_eq!(v["schema"], "redline.blame/1");
    let s = &v["sentences"][1];
    assert_eq!(s["events"][2]["kind"], "moved");
    assert_eq!(s["events"][2]["from_paragraph"], 3);
    assert_eq!(s["events"][1]["substitutions"][0], serde_json::json!(["said", "stated"]));
    assert_eq!(s["events"][1]["before"], "Officials said the project ran over budget by about $4 million.");
    assert_eq!(s["last_changed"]["revision"], 4);
    assert_eq!(s["introduced"]["id"].as_str().map(str::len), Some(40));
}

#[test]
fn an_older_revision_is_blamed_as_it_was() {
    let env = bridge();
    let out = env.cmd().args(["blame", "bridge", "2", "--porcelain"]).ok();
    assert!(
        out.contains(
            "3\t1\t2\t1:introduced,2:reworded\tOfficials stated the project ran over budget by about $4 million."
        ),
        "{out}"
    );
    assert!(!out.contains("3:"), "nothing from later revisions: {out}");
}

#[test]
fn a_missing_article_or_revision_is_a_clear_error() {
    let env = bridge();
    let out = env.cmd().args(["blame", "bridge", "9"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let out = env.cmd().args(["blame", "brigde"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bridge"), "did you mean");
}

#[test]
fn exported_revision_pages_carry_blame_on_hover() {
    let env = bridge();
    let dir = env.dir.path().join("site");
    env.cmd().args(["export", "bridge"]).arg(&dir).ok();
    let page = std::fs::read_to_string(dir.join("rev-0004.html")).unwrap();
    // The same history `redline blame` prints, as the sentence's title.
    let want =
        "title=\"r1 introduced · r2 reworded: said → stated · r3 moved from ¶3 · r4 reworded: 4 → 6\" data-blame=";
    assert!(page.contains(want), "{page}");
    assert!(page.contains(">Officials stated the project ran over budget by about $6 million.</span>"), "{page}");
    // Revision 1's page: everything was introduced there.
    let first = std::fs::read_to_string(dir.join("rev-0001.html")).unwrap();
    assert!(first.contains("title=\"r1 introduced\""), "{first}");
    assert!(!first.contains("data-blame=\"r1 introduced ·"), "{first}");
    assert_eq!(first.matches("data-blame=").count(), 6, "{first}");
}

/// Each rewording's pieces, as the hover note of an exported page shows
/// them: a bidi override a substitution leaves open is closed at the end of
/// that substitution (not only at the end of the whole note, where it would
/// reverse every later event), and a line break inside a substitution reads
/// as a space, as `redline blame` prints it.
#[test]
fn exported_blame_notes_close_bidi_per_substitution_and_flatten_line_breaks() {
    let env = Env::new();
    let texts = [
        "T\n\nThe fee is 10 dollars today.\nIt rose.\n",
        "T\n\nThe fee is \u{202e}01 dollars today, it rose.\n",
        "T\n\nThe fee is \u{202e}01 euros today, it rose.\n",
    ];
    for (i, t) in texts.iter().enumerate() {
        let f = env.file(&format!("r{i}.txt"), t);
        env.cmd().args(["commit", "fee"]).arg(f).ok();
    }
    let dir = env.dir.path().join("site");
    env.cmd().args(["export", "fee"]).arg(&dir).ok();
    let page = std::fs::read_to_string(dir.join("rev-0003.html")).unwrap();
    let note = page.split("data-blame=\"").nth(2).and_then(|s| s.split('"').next()).expect("second sentence's note");
    let later = note.find(" · r3").expect("r3's event follows r2's");
    let open = note[..later].matches('\u{202e}').count();
    let closed = note[..later].matches('\u{202c}').count();
    assert_eq!(open, closed, "r2's override is closed before r3's event: {note:?}");
    assert!(!note.contains('\n'), "no raw line break in a hover note: {note:?}");
    let cli = env.cmd().args(["blame", "fee", "--color", "never"]).ok();
    assert!(cli.contains("r3 reworded: dollars → euros"), "{cli}");
}
