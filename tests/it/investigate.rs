//! The archive-wide investigation commands of issue 14 on real stores:
//! `grep` (where a pattern appeared and disappeared), `log --all` (one
//! timeline across articles), `export --sentences` and `export --all`.

use crate::common::{stdout_of, Env};
use crate::store_cmds::{fails, json_of};
use serde_json::Value;

/// Commit `text` as the next revision of `name` at `date`.
fn put(env: &Env, name: &str, text: &str, date: &str) {
    stdout_of(env.cmd().args(["commit", name, "-", "--date", date]).write_stdin(text));
}

/// A chain where "no apparent warmth" appears in r2, is cut in r3 and comes
/// back (reworded around it) in r5; r4 only edits another sentence.
fn warmth(env: &Env) {
    let a = "Leaders meet\n\nThe two leaders met on Monday. They spoke for three hours.\n";
    let b = "Leaders meet\n\nThe two leaders met on Monday. There was no apparent warmth between them. They spoke for three hours.\n";
    let c = "Leaders meet\n\nThe two leaders met on Monday. They spoke for four hours.\n";
    let d = "Leaders meet\n\nThe two leaders met on Monday in Sochi. They spoke for four hours.\n";
    let e =
        "Leaders meet\n\nThe two leaders met on Monday in Sochi, with no apparent warmth. They spoke for four hours.\n";
    for (i, t) in [a, b, c, d, e].iter().enumerate() {
        put(env, "nbc/summit", t, &format!("2020-09-1{}T12:00:00Z", i + 1));
    }
    put(env, "nbc/other", "Other\n\nNothing warm here at all.\n", "2020-09-13T06:00:00Z");
    put(env, "wire/summit", "Wire\n\nThere was no apparent warmth.\n", "2020-09-12T18:00:00Z");
}

#[test]
fn grep_shows_a_match_appearing_disappearing_and_reappearing() {
    let env = Env::new();
    warmth(&env);
    let out = stdout_of(env.cmd().args(["grep", "no apparent warmth", "nbc/summit"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "three events:\n{out}");
    assert!(lines[0].starts_with("nbc/summit@2 ") && lines[0].contains("appeared"), "{out}");
    assert!(lines[0].contains("There was no apparent warmth between them."), "the excerpt is the line: {out}");
    assert!(lines[1].starts_with("nbc/summit@3 ") && lines[1].contains("disappeared"), "{out}");
    assert!(lines[1].contains("no apparent warmth between"), "a disappearance shows what went: {out}");
    assert!(lines[2].starts_with("nbc/summit@5 ") && lines[2].contains("appeared"), "{out}");
    assert!(!out.contains("@4"), "r4 changed nothing about the match: {out}");
    // In colour (`--color debug` prints the labels), the event and the
    // match itself are marked: added for an appearance, removed for a
    // disappearance; plain output stays unmarked.
    let out = stdout_of(env.cmd().args(["grep", "no apparent warmth", "nbc/summit", "--color", "debug"]));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].contains("<added>appeared</added>")
            && lines[0].contains("There was <added>no apparent warmth</added> between"),
        "{out}"
    );
    assert!(
        lines[1].contains("<removed>disappeared</removed>")
            && lines[1].contains("<removed>no apparent warmth</removed>"),
        "{out}"
    );
    let plain = stdout_of(env.cmd().args(["grep", "no apparent warmth", "nbc/summit", "--color", "never"]));
    assert!(!plain.contains('<') && !plain.contains("[-") && !plain.contains("{+"), "{plain}");

    // The JSON form: the same three events with their fields.
    let v = json_of(env.cmd().args(["grep", "no apparent warmth", "nbc/summit", "--json"]));
    let events: Vec<(u64, &str, u64)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["revision"].as_u64().unwrap(), h["event"].as_str().unwrap(), h["matches"].as_u64().unwrap()))
        .collect();
    assert_eq!(events, vec![(2, "appeared", 1), (3, "disappeared", 0), (5, "appeared", 1)]);
    let h = &v[0];
    assert_eq!(h["name"], "nbc/summit");
    assert_eq!(h["match"], "no apparent warmth");
    assert_eq!(h["observed_at"], "2020-09-12T12:00:00Z");
    assert_eq!(h["title"], "Leaders meet");
    assert_eq!(h["id"].as_str().unwrap().len(), 40);
}

#[test]
fn grep_all_revisions_groups_and_exit_codes() {
    let env = Env::new();
    warmth(&env);
    // Every revision with a match, across the store, in name order.
    let out = stdout_of(env.cmd().args(["grep", "no apparent warmth", "--all-revisions"]));
    let labels: Vec<&str> = out.lines().map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(labels, ["nbc/summit@2", "nbc/summit@5", "wire/summit@1"], "{out}");
    assert!(out.lines().all(|l| l.contains("1 match ")), "{out}");
    // A group prefix (with or without its slash) selects its articles only.
    for g in ["wire", "wire/"] {
        let out = stdout_of(env.cmd().args(["grep", "warmth", g]));
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.starts_with("wire/summit@1 "), "{out}");
    }
    // -i and -F.
    let out = stdout_of(env.cmd().args(["grep", "-i", "NOTHING WARM", "nbc"]));
    assert!(out.starts_with("nbc/other@1 "), "{out}");
    let out = stdout_of(env.cmd().args(["grep", "-F", "Monday.", "nbc/summit", "--all-revisions"]));
    assert_eq!(out.lines().count(), 3, "-F takes the dot literally (r4 and r5 say \"Monday in Sochi\"): {out}");
    // No match: exit 1 and no output; a bad pattern or an unknown article: 2.
    let o = env.cmd().args(["grep", "cold war"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = fails(env.cmd().args(["grep", "(unclosed"]), 2);
    assert!(err.contains("invalid pattern") && err.contains("-F"), "{err}");
    let err = fails(env.cmd().args(["grep", "warmth", "nbc/sumit"]), 2);
    assert!(err.contains("nbc/summit"), "did you mean: {err}");
}

#[test]
fn grep_reads_flip_flops_and_multiline_anchors_correctly() {
    let env = Env::new();
    let (a, b) = ("Title\n\nAlpha line.\nBeta line.\n", "Title\n\nAlpha line.\nGamma line.\n");
    for (i, t) in [a, b, a, b].iter().enumerate() {
        put(&env, "flip", t, &format!("2021-01-0{}", i + 1));
    }
    // ^…$ are line anchors: "Beta line." is a whole line in r1 and r3.
    let v = json_of(env.cmd().args(["grep", "^Beta line\\.$", "--json"]));
    let events: Vec<(u64, &str)> =
        v.as_array().unwrap().iter().map(|h| (h["revision"].as_u64().unwrap(), h["event"].as_str().unwrap())).collect();
    assert_eq!(events, vec![(1, "appeared"), (2, "disappeared"), (3, "appeared"), (4, "disappeared")]);
}

#[test]
fn log_all_is_one_timeline_with_log_fields_and_a_range() {
    let env = Env::new();
    warmth(&env);
    let out = stdout_of(env.cmd().args(["log", "--all"]));
    let labels: Vec<&str> = out.lines().map(|l| l.split_whitespace().nth(1).unwrap()).collect();
    assert_eq!(
        labels,
        [
            "nbc/summit@1",
            "nbc/summit@2",
            "wire/summit@1",
            "nbc/other@1",
            "nbc/summit@3",
            "nbc/summit@4",
            "nbc/summit@5"
        ],
        "time order across articles:\n{out}"
    );
    assert!(out.lines().next().unwrap().starts_with("2020-09-11T12:00:00Z  nbc/summit@1 "), "{out}");
    // --since/--until: a bare --until date keeps that whole day.
    let out = stdout_of(env.cmd().args(["log", "--all", "--since", "2020-09-12T13:00:00Z", "--until", "2020-09-13"]));
    let labels: Vec<&str> = out.lines().map(|l| l.split_whitespace().nth(1).unwrap()).collect();
    assert_eq!(labels, ["wire/summit@1", "nbc/other@1", "nbc/summit@3"], "{out}");
    // --json: the objects `log NAME --json` prints, in timeline order.
    let all = json_of(env.cmd().args(["log", "--all", "--json", "--reverse"]));
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 7);
    let one = json_of(env.cmd().args(["log", "nbc/summit", "--json"]));
    assert_eq!(all[0], one[4], "the newest first with --reverse, the same object as log NAME --json");
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&all[0]), keys(&one[0]));
    // log NAME takes the range too; log with neither NAME nor --all is a usage error.
    let out = stdout_of(env.cmd().args(["log", "nbc/summit", "--since", "2020-09-14"]));
    assert_eq!(out.lines().count(), 2, "{out}");
    fails(env.cmd().args(["log"]), 2);
    fails(env.cmd().args(["log", "--all", "--since", "last week"]), 2);
}

/// A chain for the sentence table: r2 rewords one sentence, removes one
/// and adds one; r3 moves a paragraph and changes quotes only.
fn sentences_chain(env: &Env) {
    let r1 = "Title\n\nThe mayor met the council. Taxes rose sharply. The park opened.\n\nSecond paragraph here. It has two sentences.\n";
    let r2 = "Title\n\nThe mayor fulfilled the council. The park opened. A new pool is planned.\n\nSecond paragraph here. It has two sentences.\n";
    let r3 = "Title\n\nSecond paragraph here. It has two sentences.\n\nThe mayor fulfilled the council. The park opened. A new pool is planned.\n";
    for (i, t) in [r1, r2, r3].iter().enumerate() {
        put(env, "city/budget", t, &format!("2021-03-0{}", i + 1));
    }
    put(env, "other", "Other\n\nNothing.\n", "2021-03-01");
}

fn jsonl(s: &str) -> Vec<Value> {
    s.lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect()
}

#[test]
fn export_sentences_writes_one_row_per_sentence_with_its_counterpart() {
    let env = Env::new();
    sentences_chain(&env);
    let file = env.dir.path().join("edits.jsonl");
    stdout_of(env.cmd().args(["export", "--sentences"]).arg(&file).arg("city"));
    let rows = jsonl(&std::fs::read_to_string(&file).unwrap());
    assert!(rows.iter().all(|r| r["article"] == "city/budget"), "the group selects its articles only");
    let of = |rev: u64| rows.iter().filter(|r| r["revision"] == rev).collect::<Vec<_>>();
    // r1: every sentence new, no previous.
    assert_eq!(of(1).len(), 6);
    assert!(of(1).iter().all(|r| r["kind"] == "added" && r["previous_text"].is_null()));
    // r2: reworded, unchanged, added, and the removed sentence on its own row.
    let r2: Vec<(Value, &str, Value)> = of(2)
        .iter()
        .map(|r| (r["sentence"].clone(), r["kind"].as_str().unwrap(), r["previous_sentence"].clone()))
        .collect();
    assert_eq!(
        r2,
        vec![
            (Value::from(1), "unchanged", Value::from(1)),
            (Value::from(2), "reworded", Value::from(2)),
            (Value::from(3), "unchanged", Value::from(4)),
            (Value::from(4), "added", Value::Null),
            (Value::from(5), "unchanged", Value::from(5)),
            (Value::from(6), "unchanged", Value::from(6)),
            (Value::Null, "removed", Value::from(3)),
        ],
        "{:#?}",
        of(2)
    );
    let reworded = of(2)[1];
    assert_eq!(reworded["text"], "The mayor fulfilled the council.");
    assert_eq!(reworded["previous_text"], "The mayor met the council.");
    assert_eq!(reworded["previous_revision"], 1);
    assert_eq!(of(2)[6]["previous_text"], "Taxes rose sharply.");
    // r3: the first paragraph moved below the second: its sentences are
    // "moved" and each finds its own counterpart.
    let moved: Vec<(String, String)> = of(3)
        .iter()
        .filter(|r| r["kind"] == "moved")
        .map(|r| (r["text"].as_str().unwrap().to_string(), r["previous_text"].as_str().unwrap().to_string()))
        .collect();
    assert!(!moved.is_empty(), "{:#?}", of(3));
    assert!(moved.iter().all(|(a, b)| a == b), "an unedited move matches itself: {moved:?}");
    // `-` writes to standard output; no NAME means every article.
    let all = jsonl(&stdout_of(env.cmd().args(["export", "--sentences", "-"])));
    assert_eq!(all.len(), rows.len() + 2, "plus the two sentences of `other`");
}

#[test]
fn export_all_writes_one_site_for_the_store() {
    let env = Env::new();
    warmth(&env);
    let site = env.dir.path().join("site");
    // A symlink planted where a folder goes is replaced, never followed.
    let outside = env.dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(&site).unwrap();
    std::os::unix::fs::symlink(&outside, site.join("articles")).unwrap();
    let err = String::from_utf8(env.cmd().args(["export", "--all"]).arg(&site).output().unwrap().stderr).unwrap();
    assert!(err.contains("3 articles, 7 revisions, 4 diff pages"), "{err}");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "nothing written through the symlink");
    for f in [
        "index.html",
        "timeline.html",
        "changes.atom",
        "articles/nbc/summit/index.html",
        "articles/nbc/summit/rev-0001.html",
        "articles/nbc/summit/rev-0005.html",
        "articles/nbc/summit/diff-0004-0005.html",
        "articles/nbc/summit/changes.atom",
        "articles/wire/summit/rev-0001.html",
    ] {
        assert!(site.join(f).is_file(), "{f} missing");
    }
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    for a in ["nbc/other", "nbc/summit", "wire/summit"] {
        assert!(index.contains(&format!("href=\"articles/{a}/index.html\"")), "{a}: {index}");
    }
    // The timeline is newest first and links each revision to what changed.
    let timeline = std::fs::read_to_string(site.join("timeline.html")).unwrap();
    let at = |s: &str| timeline.find(s).unwrap_or_else(|| panic!("{s} not in the timeline"));
    assert!(at("articles/nbc/summit/diff-0004-0005.html") < at("articles/nbc/other/rev-0001.html"));
    assert!(at("articles/nbc/other/rev-0001.html") < at("articles/nbc/summit/diff-0001-0002.html"));
    // Each article page links back up to the site's front page.
    let page = std::fs::read_to_string(site.join("articles/nbc/summit/index.html")).unwrap();
    assert!(page.contains("href=\"../../../index.html\""), "{page}");
    // A revision page holds the full text, sentence by sentence.
    let rev = std::fs::read_to_string(site.join("articles/nbc/summit/rev-0002.html")).unwrap();
    // Each sentence carries its blame history as its hover note.
    assert!(rev.contains("<span class=\"s\" id=\"s3\" title=\"r2 introduced\" data-blame=\"r2 introduced\">There was no apparent warmth between them.</span>"), "{rev}");
    // The store-wide feed parses and names each entry's article.
    let feed = feed_rs::parser::parse(std::fs::read(site.join("changes.atom")).unwrap().as_slice()).expect("Atom");
    assert_eq!(feed.entries.len(), 7);
    assert_eq!(feed.entries[0].title.as_ref().unwrap().content, "nbc/summit@5: Leaders meet");
    // The single-article export gained text pages too; bad combinations are usage errors.
    let one = env.dir.path().join("one");
    stdout_of(env.cmd().args(["export", "wire/summit"]).arg(&one));
    assert!(one.join("rev-0001.html").is_file());
    fails(env.cmd().args(["export", "wire/summit"]), 2);
    fails(env.cmd().args(["export", "--all"]).arg(&one).arg("wire/summit"), 2);
}

/// Two stores that saw only the same text, synced: the article's one
/// revision is a merge whose parents are the old tips. `log --all` and
/// `grep` once walked into those tips and listed `art@1` three times.
#[test]
fn archive_scans_stop_at_a_one_revision_sync_merge() {
    let (a, b) = (Env::new(), Env::new());
    let hub = a.dir.path().join("hub.git");
    let out = std::process::Command::new("git").args(["init", "-q", "--bare"]).arg(&hub).output().unwrap();
    assert!(out.status.success());
    put(&a, "art", "The same words.\n", "2024-01-01T00:00:00Z");
    put(&b, "art", "The same words.\n", "2024-01-01T05:00:00Z");
    for env in [&a, &b, &a] {
        env.cmd().args(["remote", "add", "origin"]).arg(&hub).output().unwrap();
        stdout_of(env.cmd().arg("sync"));
    }
    let log = json_of(a.cmd().args(["log", "art", "--json"]));
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
    let tip = log[0]["id"].as_str().unwrap().to_string();
    let all = stdout_of(a.cmd().args(["log", "--all"]));
    assert_eq!(all.lines().count(), 1, "{all}");
    let hits = json_of(a.cmd().args(["grep", "same words", "--all-revisions", "--json"]));
    let ids: Vec<&str> = hits.as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [tip.as_str()], "{hits}");
}

/// The sentence table is JSON like every other: control characters that a
/// terminal would act on are `\u` escapes, and the data reads back equal.
#[test]
fn export_sentences_escapes_terminal_controls() {
    let env = Env::new();
    put(&env, "e", "a \u{9b}31m \u{7f} b \u{202e}c.\n", "2024-01-01T00:00:00Z");
    let out = stdout_of(env.cmd().args(["export", "--sentences", "-"]));
    assert!(!out.contains('\u{9b}') && !out.contains('\u{7f}') && !out.contains('\u{202e}'), "{out:?}");
    let row: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(row["text"], "a \u{9b}31m \u{7f} b \u{202e}c.");
}
