//! Editing the label set: the editor's draft, presets, and the attributes and tags of an
//! annotation, as actions applied by [`App`].
//!
//! The label-set editor works on a copy of the set's labels (a draft); nothing changes until
//! **Apply**, which records the whole draft as one undoable transaction
//! ([`editor_edits`]). Removing a label that annotations carry asks which label they get, and
//! the draft remembers that answer until Apply. Presets load into the draft too, so the
//! analyst sees what a preset changes before applying it.

use std::path::PathBuf;

use super::{App, DialogRequest, presets};
use crate::model::{
    AnnotationId, AnnotationSet, AttributeValue, Edit, LabelError, LabelId, LabelSet,
    RelationTypeId, Rgb, Timestamp, labels_edits, remove_label_edits,
};

/// Something the analyst does with labels, presets, attributes or tags.
#[derive(Clone, Debug, PartialEq)]
pub enum LabelsAction {
    /// Open the label-set editor on a draft of the set's labels.
    OpenEditor,
    /// Drop the draft and close the editor.
    CancelEditor,
    /// Record the draft as one undo step and close the editor.
    ApplyEditor,
    /// Change the draft.
    Draft(DraftChange),
    /// Save the draft (editor open) or the set's labels into the presets folder.
    SavePreset,
    /// List the presets folder.
    ShowPresets,
    ClosePresets,
    /// Load a preset file into the editor's draft (opening the editor).
    LoadPreset(PathBuf),
    /// Ask for a preset file to load.
    ImportPresetDialog,
    /// Ask where to write the draft (or the set's labels) as a preset file.
    ExportPresetDialog,
    /// Write the draft (or the set's labels) as a preset file here.
    ExportPreset(PathBuf),
}

/// One change to the editor's draft.
#[derive(Clone, Debug, PartialEq)]
pub enum DraftChange {
    /// The label set's name.
    SetName(String),
    /// A label's name as typed (checked at Apply, trimmed then).
    Rename(LabelId, String),
    Recolour(LabelId, Rgb),
    SetKey(LabelId, Option<u8>),
    /// The name typed for a new label.
    NewLabelName(String),
    /// Add a label named as typed.
    AddLabel,
    /// Ask what happens to a label's annotations before removing it (`None`: close the
    /// question).
    AskRemove(Option<LabelId>),
    /// The label chosen in the removal question.
    RemoveTarget(LabelId),
    /// Remove a label; its annotations (if any) get the second.
    RemoveLabel(LabelId, Option<LabelId>),
    /// The new relation type form.
    RelationForm(RelationForm),
    /// Add the relation type of the form.
    AddRelationType,
    RemoveRelationType(RelationTypeId),
}

/// The "add a relation type" form of the editor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RelationForm {
    pub name: String,
    /// Empty: any label.
    pub from_labels: Vec<LabelId>,
    pub to_labels: Vec<LabelId>,
    pub symmetric: bool,
}

/// The question asked before removing a label annotations carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoveQuestion {
    pub label: LabelId,
    /// Who gets its annotations (chosen in the question).
    pub reassign: Option<LabelId>,
}

/// The label-set editor: a draft and the form state around it.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelEditor {
    pub draft: LabelSet,
    /// Labels removed from the draft while annotations carry them, in order, with the label
    /// their annotations get. Always names labels of the draft as targets.
    pub removals: Vec<(LabelId, LabelId)>,
    pub removing: Option<RemoveQuestion>,
    pub new_label: String,
    pub relation_form: RelationForm,
    /// Why the last change or Apply was refused.
    pub error: Option<String>,
    /// What loading a preset did (shown above the labels).
    pub notice: Option<String>,
    /// What Apply would do, or why it cannot (kept up to date after every change).
    pub preview: Result<Consequences, String>,
    /// How many annotations each label will carry after Apply ([`draft_count`]), by label in
    /// draft order (kept up to date after every change, so drawing does not count).
    pub counts: Vec<(LabelId, usize)>,
}

/// What applying a draft does beyond replacing the labels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Consequences {
    /// Annotations that get another label: (from name, to name, count).
    pub relabelled: Vec<(String, String, usize)>,
    pub relations_removed: usize,
    /// Annotations losing attribute values the new definitions do not allow.
    pub values_dropped: usize,
    /// Nothing would change.
    pub unchanged: bool,
}

/// The presets folder as listed for the "Load preset" window.
#[derive(Clone, Debug, PartialEq)]
pub struct PresetChooser {
    pub dir: PathBuf,
    pub entries: Vec<presets::PresetEntry>,
}

/// The label tools' state: editor, preset list and where presets live.
#[derive(Clone, Debug, Default)]
pub struct LabelsState {
    pub editor: Option<LabelEditor>,
    pub presets: Option<PresetChooser>,
    /// The presets folder (`None`: no home folder, so none).
    pub presets_dir: Option<PathBuf>,
}

impl LabelsState {
    /// Is a window of the label tools open (so article shortcuts must wait)?
    pub fn is_open(&self) -> bool {
        self.editor.is_some() || self.presets.is_some()
    }
}

/// How many annotations each label of the draft will carry after Apply (counting the
/// annotations of removed labels that it receives).
pub fn draft_count(set: &AnnotationSet, editor: &LabelEditor, label: &LabelId) -> usize {
    set.annotations
        .iter()
        .filter(|a| final_label(&editor.removals, &a.label) == label)
        .count()
}

/// Where an annotation labelled `label` ends up after the removals.
fn final_label<'a>(removals: &'a [(LabelId, LabelId)], label: &'a LabelId) -> &'a LabelId {
    removals
        .iter()
        .find(|(from, _)| from == label)
        .map_or(label, |(_, to)| to)
}

impl LabelEditor {
    /// How many annotations `label` will carry after Apply, as last counted.
    pub fn count(&self, label: &LabelId) -> usize {
        self.counts
            .iter()
            .find(|(id, _)| id == label)
            .map_or(0, |(_, n)| *n)
    }

    pub fn new(set: &AnnotationSet) -> Self {
        let mut editor = Self {
            draft: set.labels.clone(),
            removals: Vec::new(),
            removing: None,
            new_label: String::new(),
            relation_form: RelationForm::default(),
            error: None,
            notice: None,
            preview: Ok(Consequences::default()),
            counts: Vec::new(),
        };
        editor.refresh(set, Timestamp::UNIX_EPOCH);
        editor
    }

    /// Recomputes [`LabelEditor::preview`] and [`LabelEditor::counts`].
    fn refresh(&mut self, set: &AnnotationSet, now: Timestamp) {
        self.counts = self
            .draft
            .labels
            .iter()
            .map(|l| (l.id.clone(), draft_count(set, self, &l.id)))
            .collect();
        self.preview = editor_edits(set, &self.draft, &self.removals, now)
            .map(|edits| consequences(set, &edits))
            .map_err(|err| err.to_string());
    }

    /// Applies one change to the draft; `Err` says why it was refused.
    fn change(&mut self, set: &AnnotationSet, change: DraftChange) -> Result<(), LabelError> {
        let draft = &mut self.draft;
        match change {
            DraftChange::SetName(name) => draft.name = name,
            DraftChange::Rename(id, name) => {
                let label = draft
                    .labels
                    .iter_mut()
                    .find(|l| l.id == id)
                    .ok_or(LabelError::UnknownLabel(id))?;
                label.name = name;
            }
            DraftChange::Recolour(id, colour) => draft.recolour(&id, colour)?,
            DraftChange::SetKey(id, key) => draft.set_key(&id, key)?,
            DraftChange::NewLabelName(name) => self.new_label = name,
            DraftChange::AddLabel => {
                draft.add_label(&self.new_label)?;
                self.new_label.clear();
            }
            DraftChange::AskRemove(label) => {
                self.removing = label.map(|label| RemoveQuestion {
                    reassign: draft
                        .labels
                        .iter()
                        .find(|l| l.id != label)
                        .map(|l| l.id.clone()),
                    label,
                });
            }
            DraftChange::RemoveTarget(to) => {
                if let Some(q) = &mut self.removing {
                    q.reassign = Some(to);
                }
            }
            DraftChange::RemoveLabel(id, reassign) => {
                let in_use = draft_count(set, self, &id) > 0;
                let reassign = if in_use {
                    // Never drop annotations silently: a label in use needs a successor.
                    Some(reassign.ok_or_else(|| LabelError::InUse {
                        label: id.clone(),
                        count: draft_count(set, self, &id),
                    })?)
                } else {
                    None
                };
                self.draft.remove_label(&id, reassign.as_ref())?;
                if let Some(to) = reassign {
                    for (_, target) in &mut self.removals {
                        if *target == id {
                            *target = to.clone();
                        }
                    }
                    self.removals.push((id.clone(), to));
                }
                self.removals
                    .retain(|(from, _)| from != &id || set.labels.get(from).is_some());
                self.relation_form.from_labels.retain(|l| l != &id);
                self.relation_form.to_labels.retain(|l| l != &id);
                self.removing = None;
            }
            DraftChange::RelationForm(form) => self.relation_form = form,
            DraftChange::AddRelationType => {
                let form = &self.relation_form;
                draft.add_relation_type(
                    &form.name,
                    form.from_labels.clone(),
                    form.to_labels.clone(),
                    form.symmetric,
                )?;
                self.relation_form = RelationForm::default();
            }
            DraftChange::RemoveRelationType(id) => {
                draft.relation_types.retain(|t| t.id != id);
            }
        }
        Ok(())
    }

    /// Replaces the draft by a preset, keeping the labels annotations carry that the preset
    /// lacks (so nothing is lost); says what it kept in [`LabelEditor::notice`].
    fn load(&mut self, set: &AnnotationSet, preset: LabelSet, source: &str) {
        let (draft, kept) = keep_labels_in_use(set, preset);
        self.draft = draft;
        self.removals.clear();
        self.removing = None;
        self.relation_form = RelationForm::default();
        self.error = None;
        let mut notice = format!("Loaded the preset {source}. Apply to use it.");
        if !kept.is_empty() {
            let kept: Vec<String> = kept
                .iter()
                .map(|(name, n)| format!("{name} ({n} annotations)"))
                .collect();
            notice.push_str(&format!(
                " Kept labels the preset lacks but annotations carry: {}. Remove them here to \
                 give their annotations another label.",
                kept.join(", ")
            ));
        }
        self.notice = Some(notice);
    }
}

/// `preset`, plus the labels of `set` that annotations carry and `preset` does not define
/// (appended, keeping their key when it is free). Returns the kept labels' names and counts.
pub fn keep_labels_in_use(
    set: &AnnotationSet,
    preset: LabelSet,
) -> (LabelSet, Vec<(String, usize)>) {
    let mut merged = preset;
    let mut kept = Vec::new();
    for label in &set.labels.labels {
        let count = set
            .annotations
            .iter()
            .filter(|a| a.label == label.id)
            .count();
        if count == 0 || merged.get(&label.id).is_some() {
            continue;
        }
        let mut label = label.clone();
        if label.key.is_some_and(|k| merged.by_key(k).is_some()) {
            label.key = None;
        }
        kept.push((label.name.clone(), count));
        merged.labels.push(label);
    }
    (merged, kept)
}

/// The edits that make `set` use `draft`, as one transaction: the annotations of each label
/// in `removals` get its successor ([`remove_label_edits`]), then the labels are replaced
/// ([`labels_edits`]). A successor the draft added is put in place first, so annotations can
/// move to a label that is new. Label names are trimmed.
pub fn editor_edits(
    set: &AnnotationSet,
    draft: &LabelSet,
    removals: &[(LabelId, LabelId)],
    now: Timestamp,
) -> Result<Vec<Edit>, LabelError> {
    let mut draft = draft.clone();
    draft.name = draft.name.trim().to_owned();
    for label in &mut draft.labels {
        label.name = label.name.trim().to_owned();
    }
    draft.check()?;
    if removals.is_empty() {
        // The common case needs no scratch copy of the set.
        return labels_edits(set, draft, now);
    }
    let mut scratch = set.clone();
    let mut edits = Vec::new();
    let mut take = |scratch: &mut AnnotationSet, new: Vec<Edit>| {
        for edit in &new {
            // Computed against `scratch` just before, so they apply.
            let _ = edit.apply(scratch);
        }
        edits.extend(new);
    };
    let needed: Vec<&LabelId> = removals
        .iter()
        .filter(|(from, _)| scratch.annotations.iter().any(|a| &a.label == from))
        .map(|(_, to)| to)
        .filter(|to| scratch.labels.get(to).is_none())
        .collect();
    if !needed.is_empty() {
        let mut interim = scratch.labels.clone();
        for id in needed {
            if let Some(label) = draft.get(id)
                && interim.get(id).is_none()
            {
                let mut label = label.clone();
                label.key = None;
                interim.labels.push(label);
            }
        }
        let new = labels_edits(&scratch, interim, now)?;
        take(&mut scratch, new);
    }
    for (from, to) in removals {
        if scratch.labels.get(from).is_some() {
            let new = remove_label_edits(&scratch, from, Some(to), now)?;
            take(&mut scratch, new);
        }
    }
    let new = labels_edits(&scratch, draft, now)?;
    take(&mut scratch, new);
    Ok(edits)
}

/// What `edits` (from [`editor_edits`]) do to the annotations of `set`.
fn consequences(set: &AnnotationSet, edits: &[Edit]) -> Consequences {
    let mut out = Consequences {
        unchanged: edits.is_empty(),
        ..Consequences::default()
    };
    for edit in edits {
        match edit {
            Edit::RemoveRelation(_) => out.relations_removed += 1,
            Edit::Update { before, after } => {
                if before.label != after.label {
                    let from = set.labels.name_of(&before.label).to_owned();
                    // The successor may be new: name it from the edit's own later labels.
                    let to = edits
                        .iter()
                        .rev()
                        .find_map(|e| match e {
                            Edit::SetLabels { after: labels, .. } => {
                                labels.get(&after.label).map(|l| l.name.clone())
                            }
                            _ => None,
                        })
                        .unwrap_or_else(|| after.label.0.clone());
                    match out
                        .relabelled
                        .iter_mut()
                        .find(|(f, t, _)| *f == from && *t == to)
                    {
                        Some(entry) => entry.2 += 1,
                        None => out.relabelled.push((from, to, 1)),
                    }
                }
                if after.attributes.len() < before.attributes.len() {
                    out.values_dropped += 1;
                }
            }
            _ => {}
        }
    }
    out
}

impl App {
    /// Applies a [`LabelsAction`].
    pub(super) fn apply_labels(&mut self, action: LabelsAction) {
        match action {
            LabelsAction::OpenEditor => {
                if self.labels.editor.is_none() {
                    self.commit_note_draft();
                    self.labels.editor = Some(LabelEditor::new(&self.doc.set));
                }
            }
            LabelsAction::CancelEditor => self.labels.editor = None,
            LabelsAction::ApplyEditor => self.apply_editor(),
            LabelsAction::Draft(change) => {
                let now = self.now();
                let set = &self.doc.set;
                if let Some(editor) = &mut self.labels.editor {
                    editor.error = editor.change(set, change).err().map(|e| e.to_string());
                    editor.refresh(set, now);
                }
            }
            LabelsAction::SavePreset => {
                let labels = self.labels_for_preset();
                let Some(dir) = self.labels.presets_dir.clone() else {
                    return self.show_error(
                        "Could not save the preset",
                        &"there is no presets folder (no home folder is set); use Export \
                          preset to file instead",
                    );
                };
                match presets::save_preset(&labels, &dir) {
                    Ok(path) => {
                        self.set_status(format!("Saved the preset to {}", path.display()));
                        if self.labels.presets.is_some() {
                            self.apply_labels(LabelsAction::ShowPresets);
                        }
                    }
                    Err(err) => self.show_error("Could not save the preset", &format!("{err:#}")),
                }
            }
            LabelsAction::ShowPresets => {
                let Some(dir) = self.labels.presets_dir.clone() else {
                    return self.show_error(
                        "No presets folder",
                        &"no home folder is set; use Import preset from file instead",
                    );
                };
                match presets::list_presets(&dir) {
                    Ok(entries) => self.labels.presets = Some(PresetChooser { dir, entries }),
                    Err(err) => self.show_error("Could not list the presets", &format!("{err:#}")),
                }
            }
            LabelsAction::ClosePresets => self.labels.presets = None,
            LabelsAction::LoadPreset(path) => match presets::read_preset(&path) {
                Ok(preset) => {
                    self.labels.presets = None;
                    self.apply_labels(LabelsAction::OpenEditor);
                    let name = if preset.name.trim().is_empty() {
                        path.display().to_string()
                    } else {
                        format!("“{}”", preset.name)
                    };
                    let now = self.now();
                    let set = &self.doc.set;
                    if let Some(editor) = &mut self.labels.editor {
                        editor.load(set, preset, &name);
                        editor.refresh(set, now);
                    }
                }
                Err(err) => self.show_error("Could not load the preset", &format!("{err:#}")),
            },
            LabelsAction::ImportPresetDialog => {
                let start_dir = self.labels.presets_dir.clone();
                self.ask(
                    DialogRequest::ImportPreset { start_dir },
                    Box::new(|path| super::Action::Labels(LabelsAction::LoadPreset(path))),
                );
            }
            LabelsAction::ExportPresetDialog => {
                let name = presets::preset_file_name(&self.labels_for_preset().name);
                let suggested = match &self.labels.presets_dir {
                    Some(dir) => dir.join(name),
                    None => self.doc.default_set_path().with_file_name(name),
                };
                self.ask(
                    DialogRequest::ExportPreset { suggested },
                    Box::new(|path| super::Action::Labels(LabelsAction::ExportPreset(path))),
                );
            }
            LabelsAction::ExportPreset(path) => {
                match presets::write_preset(&self.labels_for_preset(), &path) {
                    Ok(()) => self.set_status(format!("Exported the preset to {}", path.display())),
                    Err(err) => {
                        self.show_error("Could not export the preset", &format!("{err:#}"));
                    }
                }
            }
        }
    }

    /// What "save as preset" saves: the draft while the editor is open, else the set's labels.
    fn labels_for_preset(&self) -> LabelSet {
        let mut labels = match &self.labels.editor {
            Some(editor) => editor.draft.clone(),
            None => self.doc.set.labels.clone(),
        };
        labels.name = labels.name.trim().to_owned();
        for label in &mut labels.labels {
            label.name = label.name.trim().to_owned();
        }
        labels
    }

    fn apply_editor(&mut self) {
        let Some(editor) = &mut self.labels.editor else {
            return;
        };
        let now = (self.clock)();
        match editor_edits(&self.doc.set, &editor.draft, &editor.removals, now) {
            Ok(edits) if edits.is_empty() => {
                self.labels.editor = None;
                self.set_status("The label set is unchanged");
            }
            Ok(edits) => {
                self.labels.editor = None;
                self.record(edits);
                self.set_status("Changed the label set (Ctrl+Z undoes it)");
            }
            Err(err) => editor.error = Some(err.to_string()),
        }
    }

    /// Sets or clears one attribute of an annotation, as one undo step.
    pub(super) fn set_attribute(
        &mut self,
        id: AnnotationId,
        attribute: &str,
        value: Option<AttributeValue>,
    ) {
        let now = self.now();
        match crate::model::set_attribute_edit(&self.doc.set, id, attribute, value, now) {
            Ok(Some(edit)) => self.record(vec![edit]),
            Ok(None) => {}
            Err(err) => self.set_status(format!("Cannot set that: {err}")),
        }
    }

    /// Gives an annotation these tags (normalised), as one undo step.
    pub(super) fn set_tags(&mut self, id: AnnotationId, tags: &[String]) {
        let now = self.now();
        if let Some(edit) = crate::model::set_tags_edit(&self.doc.set, id, tags, now) {
            self.record(vec![edit]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Anchor, Annotation, Article, History, Relation};

    fn set_with(labels: &[&str]) -> (AnnotationSet, Vec<AnnotationId>) {
        let article = Article::from_plain_text("alpha beta gamma delta", "t");
        let mut set = AnnotationSet::new(&article, String::new());
        let mut ids = Vec::new();
        for (i, label) in labels.iter().enumerate() {
            let a = Annotation::new(
                LabelId::new(label),
                Anchor::new(&article, i * 6..i * 6 + 5).unwrap(),
                Timestamp::UNIX_EPOCH,
            );
            ids.push(a.id);
            set.insert(a);
        }
        (set, ids)
    }

    fn editor_change(set: &AnnotationSet, editor: &mut LabelEditor, change: DraftChange) {
        editor.change(set, change).unwrap();
        editor.refresh(set, Timestamp::UNIX_EPOCH);
    }

    #[test]
    fn a_removed_label_in_use_needs_a_successor_which_may_be_new() {
        let (mut set, ids) = set_with(&["claim", "denial", "denial"]);
        let mut editor = LabelEditor::new(&set);
        let denial = LabelId::new("denial");
        assert!(matches!(
            editor.change(&set, DraftChange::RemoveLabel(denial.clone(), None)),
            Err(LabelError::InUse { count: 2, .. })
        ));
        editor_change(
            &set,
            &mut editor,
            DraftChange::NewLabelName("Rebuttal".into()),
        );
        editor_change(&set, &mut editor, DraftChange::AddLabel);
        let rebuttal = LabelId::new("rebuttal");
        editor_change(
            &set,
            &mut editor,
            DraftChange::RemoveLabel(denial.clone(), Some(rebuttal.clone())),
        );
        assert_eq!(draft_count(&set, &editor, &rebuttal), 2);
        let preview = editor.preview.clone().unwrap();
        assert_eq!(
            preview.relabelled,
            [("Denial".to_owned(), "Rebuttal".to_owned(), 2)]
        );

        let before = set.clone();
        let edits =
            editor_edits(&set, &editor.draft, &editor.removals, Timestamp::UNIX_EPOCH).unwrap();
        let mut history = History::default();
        history.apply(&mut set, edits).unwrap();
        assert_eq!(set.labels, editor.draft);
        assert_eq!(set.get(ids[1]).unwrap().label, rebuttal);
        assert_eq!(set.get(ids[2]).unwrap().label, rebuttal);
        assert_eq!(set.get(ids[0]).unwrap().label, LabelId::new("claim"));
        history.undo(&mut set).unwrap();
        assert_eq!(set, before, "one undo step restores everything");
    }

    #[test]
    fn chained_removals_end_on_a_label_of_the_draft() {
        let (mut set, ids) = set_with(&["denial"]);
        let mut editor = LabelEditor::new(&set);
        let (denial, source, claim) = (
            LabelId::new("denial"),
            LabelId::new("source"),
            LabelId::new("claim"),
        );
        editor_change(
            &set,
            &mut editor,
            DraftChange::RemoveLabel(denial, Some(source.clone())),
        );
        // Source now receives the denials, so it is in use and needs a successor as well.
        assert!(
            editor
                .change(&set, DraftChange::RemoveLabel(source.clone(), None))
                .is_err()
        );
        editor_change(
            &set,
            &mut editor,
            DraftChange::RemoveLabel(source, Some(claim.clone())),
        );
        let edits =
            editor_edits(&set, &editor.draft, &editor.removals, Timestamp::UNIX_EPOCH).unwrap();
        History::default().apply(&mut set, edits).unwrap();
        assert_eq!(set.get(ids[0]).unwrap().label, claim);
        assert_eq!(set.labels.labels.len(), 1);
    }

    #[test]
    fn removing_a_relation_type_removes_its_relations_and_says_so() {
        let (mut set, ids) = set_with(&["claim", "source"]);
        let kind = RelationTypeId::new("attributed-to");
        set.insert_relation(Relation::new(kind.clone(), ids[0], ids[1]));
        let mut editor = LabelEditor::new(&set);
        assert!(editor.preview.as_ref().unwrap().unchanged);
        editor_change(&set, &mut editor, DraftChange::RemoveRelationType(kind));
        assert_eq!(editor.preview.as_ref().unwrap().relations_removed, 1);
    }

    #[test]
    fn a_preset_keeps_the_labels_annotations_carry() {
        let (set, _) = set_with(&["claim", "denial"]);
        let mut preset = LabelSet::default();
        preset.labels.retain(|l| l.id.0 == "source");
        preset.relation_types.clear();
        preset.labels[0].key = Some(3);
        let (merged, kept) = keep_labels_in_use(&set, preset);
        let ids: Vec<&str> = merged.labels.iter().map(|l| l.id.0.as_str()).collect();
        assert_eq!(ids, ["source", "claim", "denial"]);
        assert_eq!(kept, [("Claim".to_owned(), 1), ("Denial".to_owned(), 1)]);
        assert_eq!(merged.get(&LabelId::new("claim")).unwrap().key, Some(1));
        assert_eq!(
            merged.get(&LabelId::new("denial")).unwrap().key,
            None,
            "key 3 is the preset's"
        );
        assert_eq!(merged.check(), Ok(()));
    }

    #[test]
    fn blank_names_are_refused_and_names_are_trimmed() {
        let (set, _) = set_with(&[]);
        let mut editor = LabelEditor::new(&set);
        let claim = LabelId::new("claim");
        editor_change(
            &set,
            &mut editor,
            DraftChange::Rename(claim.clone(), " ".into()),
        );
        assert_eq!(editor.preview, Err(LabelError::EmptyName.to_string()));
        editor_change(
            &set,
            &mut editor,
            DraftChange::Rename(claim.clone(), " Assertion ".into()),
        );
        let edits =
            editor_edits(&set, &editor.draft, &editor.removals, Timestamp::UNIX_EPOCH).unwrap();
        let Some(Edit::SetLabels { after, .. }) = edits.last() else {
            panic!("the labels are replaced");
        };
        assert_eq!(after.name_of(&claim), "Assertion");
    }
}
