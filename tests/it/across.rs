//! Across articles: `NAME@REV` wherever a revision is taken (a copy diffed
//! against its source), `compare` of a stored revision against a file, and
//! `copies` finding spun copies in the archive.

use crate::common::{fixture, Env};

/// The seed's source as one article, the seed itself as another.
fn two_sites() -> Env {
    let env = Env::new();
    env.cmd().args(["commit", "nbc/belarus"]).arg(fixture("belarus/0001.txt")).ok();
    env.cmd().args(["commit", "site/belarus"]).arg(fixture("belarus/0002.txt")).ok();
    env.cmd().args(["commit", "site/belarus"]).arg(fixture("belarus/0003.txt")).ok();
    env
}

fn json(env: &Env, args: &[&str]) -> serde_json::Value {
    let out = env.cmd().args(args).args(["--format", "json"]).ok();
    serde_json::from_str(&out).expect("json")
}

#[test]
fn diff_of_two_articles_names_the_spin() {
    let env = two_sites();
    let v = json(&env, &["diff", "nbc/belarus@1", "site/belarus@1"]);
    assert_eq!(v["old"]["label"], "nbc/belarus@1");
    assert_eq!(v["new"]["label"], "site/belarus@1");
    assert_eq!(v["stats"]["kinds"]["duplicated"], 1, "the headline pasted twice");
    assert_eq!(v["stats"]["kinds"]["added"], 1, "the promotional line");
    let top = &v["substitutions"][0];
    assert_eq!((top["old"].as_str(), top["new"].as_str()), (Some("said"), Some("stated")));
}

#[test]
fn one_side_defaults_and_same_article_forms_agree() {
    let env = two_sites();
    // `site/belarus@1` alone is revision 1 against the latest, like `diff site/belarus 1`.
    let a = env.cmd().args(["diff", "site/belarus@1", "--format", "json"]).ok();
    let b = env.cmd().args(["diff", "site/belarus", "1", "--format", "json"]).ok();
    let c = env.cmd().args(["diff", "site/belarus@1", "latest", "--format", "json"]).ok();
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert!(a.contains("150,000"), "{a}");
}

#[test]
fn compare_takes_a_stored_revision_and_a_file_wins_over_the_syntax() {
    let env = two_sites();
    let new = fixture("belarus/0003.txt");
    let v: serde_json::Value =
        serde_json::from_str(&env.cmd().args(["compare", "--format", "json", "site/belarus@1"]).arg(&new).ok())
            .unwrap();
    assert_eq!(v["old"]["label"], "site/belarus@1");
    assert_eq!(v["stats"]["kinds"]["removed"], 1, "the promotional line is gone in 0003");
    // A real file named like a revision is read as the file.
    let odd = env.file("site/belarus@1", "Just a file.\n");
    let out = env.cmd().current_dir(env.dir.path()).args(["compare", "--stat", "site/belarus@1"]).arg(&odd).ok();
    assert!(out.contains("no differences"), "{out}");
    // Spelled as a path, it is a file even when none exists: no such file.
    let out = env.cmd().current_dir(env.dir.path()).args(["compare", "./nbc/belarus@1"]).arg(&new).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("invalid article name"), "{err}");
    // A folder named like a revision does not hide the revision.
    std::fs::create_dir_all(env.dir.path().join("nbc/belarus@1")).unwrap();
    let out = env.cmd().current_dir(env.dir.path()).args(["compare", "--stat", "nbc/belarus@1"]).arg(&new).ok();
    assert!(out.contains("nbc/belarus@1"), "{out}");
}

#[test]
fn bad_cross_forms_are_refused_with_a_way_out() {
    let env = two_sites();
    let out = env.cmd().args(["diff", "nbc/belarus", "site/belarus@1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nbc/belarus@latest site/belarus@1"), "{err}");
    let out = env.cmd().args(["diff", "nbc/belarus@1", "2", "3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = env.cmd().args(["diff", "nbc/belarus@"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a revision after the @"));
    let out = env.cmd().args(["diff", "nbc/belarus@1", "nope@1"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
}

#[test]
fn copies_calls_the_seed_a_spun_copy_led_by_said_stated() {
    let env = two_sites();
    env.cmd().args(["commit", "weather"]).arg(env.file("w.txt", "Rain is expected across the region tomorrow, with strong winds along the coast and cooler air by the weekend.\n")).ok();
    let v: serde_json::Value = serde_json::from_str(&env.cmd().args(["copies", "--json"]).ok()).unwrap();
    let pairs = v.as_array().unwrap();
    assert_eq!(pairs.len(), 1, "only the belarus pair: {v}");
    let p = &pairs[0];
    assert_eq!((p["source"].as_str(), p["copy"].as_str()), (Some("nbc/belarus"), Some("site/belarus")));
    assert_eq!(p["verdict"], "spun copy");
    assert_eq!((p["spin"][0]["old"].as_str(), p["spin"][0]["new"].as_str()), (Some("said"), Some("stated")));
    let text = env.cmd().args(["copies", "site/belarus"]).ok();
    assert!(text.starts_with("site/belarus is a spun copy of nbc/belarus\n"), "{text}");
    assert!(text.contains("spin: said → stated ×10"), "{text}");
    let none = env.cmd().args(["copies", "weather"]).ok();
    assert!(none.starts_with("no copies found"), "{none}");
}

#[test]
fn name_at_rev_works_for_show_and_blame_too() {
    let env = two_sites();
    let a = env.cmd().args(["show", "site/belarus@1"]).ok();
    let b = env.cmd().args(["show", "site/belarus", "1"]).ok();
    assert_eq!(a, b);
    assert!(a.contains("Revealed: The Secrets"), "revision 1 still has the promotional line");
    let a = env.cmd().args(["blame", "site/belarus@1", "--porcelain"]).ok();
    let b = env.cmd().args(["blame", "site/belarus", "1", "--porcelain"]).ok();
    assert_eq!(a, b);
    let out = env.cmd().args(["show", "site/belarus@1", "2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already names a revision"));
}

/// `NAME@DATE` is the article as it stood then: the last observation at or
/// before that moment, by observation time, even when an older sighting
/// was stored later (`--allow-out-of-order`).
#[test]
fn a_moment_picks_the_last_observation_before_it_not_the_last_stored() {
    let env = crate::common::Env::new();
    for (text, date) in
        [("Third of Jan.\n", "2024-01-03"), ("First of Jan.\n", "2024-01-01"), ("Fifth.\n", "2024-01-05")]
    {
        env.cmd().args(["commit", "art", "-", "--allow-out-of-order", "--date", date]).write_stdin(text).ok();
    }
    let show = |spec: &str| env.cmd().args(["show", spec]).ok();
    assert_eq!(show("art@2024-01-04"), "Third of Jan.\n");
    assert_eq!(show("art@{2024-01-03T00:00}"), "Third of Jan.\n");
    assert_eq!(show("art@2024-01-02"), "First of Jan.\n");
    assert_eq!(show("art@2024-01-09"), "Fifth.\n");
    let out = env.cmd().args(["show", "art@2023-12-31"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the first was observed at 2024-01-01"), "{err}");
}
