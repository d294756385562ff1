//! The printed result: one markdown table, rows in the order they were measured, then notes.

/// One line of the table. `peer` and `ratio` stay empty where nothing compares.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub section: &'static str,
    pub metric: String,
    pub ours: String,
    pub peer: String,
    pub ratio: String,
}

impl Row {
    pub fn new(section: &'static str, metric: impl Into<String>, ours: impl Into<String>) -> Row {
        Row {
            section,
            metric: metric.into(),
            ours: ours.into(),
            ..Row::default()
        }
    }

    pub fn vs(mut self, peer: impl Into<String>, ratio: impl Into<String>) -> Row {
        self.peer = peer.into();
        self.ratio = ratio.into();
        self
    }
}

#[derive(Default)]
pub struct Report {
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn row(&mut self, row: Row) {
        self.rows.push(row);
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Markdown: a table, then the notes as a list.
    pub fn render(&self) -> String {
        let mut out = String::from("| section | metric | ours | peer | ratio |\n");
        out.push_str("|---|---|---:|---:|---:|\n");
        for r in &self.rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                r.section,
                cell(&r.metric),
                cell(&r.ours),
                cell(&r.peer),
                cell(&r.ratio)
            ));
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for n in &self.notes {
                out.push_str(&format!("- {n}\n"));
            }
        }
        out
    }
}

/// A pipe would end the cell early.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}
