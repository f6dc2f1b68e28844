//! The eight vendor pages in `shared/vendor-docs/new/` (next to the repository, as CI lays it
//! out): `ccgen import` drafts each into a spec that passes load+check and whose facts agree with
//! the curated spec in `spec/` (names, wording, examples and quirks are the curator's). The
//! comparison runs on the loaded spec model, the same one `ccgen import --compare` uses.

use std::path::{Path, PathBuf};

use ccgen::import::{self, Context, Imported};
use ccgen::ir::ResultShape;

/// The pages and the spec each belongs to.
const PAGES: &[(&str, &str)] = &[
    ("agentconf-requestagentconf", "agentconf/requestagentconf.yaml"),
    ("calldata-waitcallinfo", "calldata/waitcallinfo.yaml"),
    ("onlineagent-forcelogoutwithreason", "onlineagent/forcelogoutwithreason.yaml"),
    ("onlineagent-loginex", "onlineagent/loginex.yaml"),
    ("onlineagent-resetskill", "onlineagent/resetskill.yaml"),
    ("onlineagent-sayfree", "onlineagent/sayfree.yaml"),
    ("voicecall-callinnerskill", "voicecall/callinnerskill.yaml"),
    ("voicecall-disconnect", "voicecall/disconnect.yaml"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn pages_dir() -> PathBuf {
    let dir = root().join("../shared/vendor-docs/new");
    assert!(dir.is_dir(), "{} is missing: the vendor pages sit next to the repository, as in CI", dir.display());
    dir
}

fn context() -> Context {
    import::read_context(&root().join("spec")).expect("the repository's spec catalogs are readable")
}

fn import_page(context: &Context, name: &str) -> Imported {
    let path = pages_dir().join(format!("{name}.txt"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    import::import_page(&text, &import::options_from(context))
}

#[test]
fn every_new_page_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(pages_dir())
        .expect("readable")
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".txt")).map(str::to_owned))
        .collect();
    on_disk.sort();
    let listed: Vec<String> = PAGES.iter().map(|(p, _)| (*p).to_owned()).collect();
    assert_eq!(on_disk, listed);
}

#[test]
fn drafts_validate_and_agree_with_the_curated_specs() {
    let context = context();
    let mut problems = Vec::new();
    for (page, rel) in PAGES {
        let imported = import_page(&context, page);
        assert!(imported.incomplete.is_empty(), "{page} looks incomplete: {:?}", imported.incomplete);
        assert_eq!(imported.rel_path, *rel, "{page} drafts into another file");
        let yaml = imported.to_yaml();
        if let Err(d) = import::validate(&context, rel, &yaml) {
            problems.push(format!("draft of {page} fails load+check:\n{}", d.render()));
            continue;
        }
        let draft = import::load_interface(&context, rel, &yaml).expect("a valid draft loads");
        let curated_text = std::fs::read_to_string(root().join("spec").join(rel)).expect("curated spec exists");
        let curated = import::load_interface(&context, rel, &curated_text).expect("curated spec loads");
        for difference in import::compare::compare(&draft, &curated) {
            problems.push(format!("{page} vs spec/{rel}: {difference}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_list_result_and_the_missing_log_name_are_read_from_the_pages() {
    let context = context();
    let waiting = import_page(&context, "calldata-waitcallinfo").draft;
    let result = &waiting.response.result;
    assert_eq!(result.kind, "list");
    let names: Vec<&str> = result.fields.iter().flatten().map(|f| f.name.as_str()).collect();
    assert_eq!(names.len(), 14, "{names:?}");
    assert_eq!(names.first(), Some(&"callfeature"));
    assert_eq!(names.last(), Some(&"mediaType"));
    // The example's quoted "2" is repaired to the table's integer, and the repair is a quirk.
    assert!(waiting.quirks.iter().any(|q| q.contains("callskillid as the string \"2\"")), "{:?}", waiting.quirks);

    let disconnect = import_page(&context, "voicecall-disconnect");
    assert_eq!(disconnect.draft.log_name, None);
    assert!(!disconnect.to_yaml().contains("log_name"), "a page without a log name drafts no log_name key");
    assert_eq!(disconnect.draft.operation, "disconnect");
}

#[test]
fn the_curated_specs_carry_the_new_shapes_into_the_ir() {
    let spec = root().join("spec");
    let api = ccgen::pipeline::validate(&spec).unwrap_or_else(|d| panic!("{}", d.render()));
    let by_op = |op: &str| api.interfaces.iter().find(|i| i.operation.wire == op).expect("interface exists");
    match &by_op("query_wait_call_info_by_skill_id").result {
        ResultShape::List { fields, .. } => assert_eq!(fields.len(), 14),
        other => panic!("waitcallinfo's result is {other:?}, not a list"),
    }
    assert_eq!(by_op("disconnect").log_name, None);
    assert_eq!(by_op("say_free").log_name.as_deref(), Some("sayFree"));
}

#[test]
fn drafts_name_the_schema_and_update_keeps_the_line() {
    let context = context();
    for (page, rel) in PAGES {
        let imported = import_page(&context, page);
        let modeline = ccgen::load::schema::modeline(rel).expect("an interface file");
        assert_eq!(imported.to_yaml().lines().next(), Some(modeline.as_str()), "{page}");
        let curated = std::fs::read_to_string(root().join("spec").join(rel)).expect("curated spec exists");
        let updated = import::update::update(&curated, &imported).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert_eq!(updated.yaml.lines().next(), Some(modeline.as_str()), "{page}");
        assert_eq!(updated.yaml, curated, "{page}: --update of an unchanged page changes nothing");
    }
}
