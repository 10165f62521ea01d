//! Entries to a record layout: groups resolved, usages inherited, `OCCURS` unrolled,
//! `REDEFINES` checked, fields laid out at their offsets.

use super::*;

pub(super) struct Node {
    pub(super) e: Entry,
    pub(super) children: Vec<usize>,
    /// Filled by `resolve`: the kind of an elementary item, the size of one occurrence
    /// and the fields one occurrence unrolls to.
    pub(super) kind: Option<FieldKind>,
    pub(super) size: usize,
    pub(super) count: usize,
}

impl Node {
    pub(super) fn occurs(&self) -> usize {
        self.e.occurs.unwrap_or(1)
    }

    pub(super) fn total(&self) -> usize {
        self.size * self.occurs() // checked in `resolve`
    }
}

pub(super) fn hier_level(level: u8) -> u8 {
    if level == 77 {
        1
    } else {
        level
    }
}

pub(super) fn too_large(what: &'static str) -> Error {
    Error::TooLarge { what, value: u64::MAX, limit: MAX_RECORD_LEN as u64 }
}

#[derive(Clone, Copy, Default)]
pub(super) struct Inherited {
    pub(super) usage: Option<Usage>,
    pub(super) sign: Option<SignPosition>,
}

pub(super) fn resolve(nodes: &mut [Node], id: usize, inh: Inherited, opts: &ParseOptions) -> Result<()> {
    let e = nodes[id].e.clone();
    let usage = e.usage.or(inh.usage);
    let sign = e.sign.map(|s| s.0).or(inh.sign);
    let name = e.name.clone().unwrap_or_else(|| "FILLER".into());
    let children = nodes[id].children.clone();
    if e.occurs.is_some() && hier_level(e.level) == 1 {
        return Err(err(e.line, e.col, "OCCURS is not allowed at level 01 or 77"));
    }
    let (size, count, kind) = if let Some((pic, pl, pc)) = e.pic {
        let usage = usage.unwrap_or(Usage::Display);
        if let Some((_, sl, sc)) = e.sign {
            if usage != Usage::Display || pic.class != PicClass::Numeric || !pic.signed {
                return Err(err(sl, sc, "a SIGN clause needs a signed DISPLAY numeric item (PIC S9)"));
            }
        }
        let numeric = |what: &str| -> Result<(u8, u8)> {
            if pic.class != PicClass::Numeric {
                return Err(err(pl, pc, format!("{name}: {what} needs a numeric PICTURE (9, S, V)")));
            }
            Ok((pic.digits as u8, pic.scale as u8))
        };
        let (kind, size) = match usage {
            Usage::Display if pic.class != PicClass::Numeric => (FieldKind::Text, pic.size),
            Usage::Display => {
                let (digits, scale) = numeric("DISPLAY")?;
                let sign = if pic.signed { sign.unwrap_or_default() } else { SignPosition::Trailing };
                let len = pic.digits as usize + usize::from(pic.signed && sign.is_separate());
                (FieldKind::Zoned { digits, scale, signed: pic.signed, sign }, len)
            }
            Usage::Packed => {
                let (digits, scale) = numeric("COMP-3")?;
                (FieldKind::Packed { digits, scale, signed: pic.signed }, digits as usize / 2 + 1)
            }
            Usage::Binary | Usage::Native => {
                let (digits, scale) = numeric("a binary usage")?;
                if digits > 18 {
                    return Err(err(pl, pc, format!("{name}: a binary item has at most 18 digits")));
                }
                let bytes = opts.binary_size.bytes_for(digits as u32);
                let native = usage == Usage::Native;
                (FieldKind::Binary { bytes, digits, scale, signed: pic.signed, native }, bytes as usize)
            }
        };
        (size, 1usize, Some(kind))
    } else {
        if children.is_empty() {
            if let Some((_, sl, sc)) = e.sign {
                return Err(err(sl, sc, "a SIGN clause needs a signed DISPLAY numeric item (PIC S9)"));
            }
            return Err(err(e.line, e.col, format!("{name} has neither a PICTURE nor subordinate items")));
        }
        let inh = Inherited { usage, sign };
        let (mut size, mut count) = (0usize, 0usize);
        let mut prev: Option<usize> = None;
        for &c in &children {
            resolve(nodes, c, inh, opts)?;
            let child = &nodes[c];
            let total = child.size.checked_mul(child.occurs()).ok_or_else(|| too_large("record"))?;
            let child_count = child.count.checked_mul(child.occurs()).ok_or_else(|| too_large("record"))?;
            count = count.checked_add(child_count).ok_or_else(|| too_large("record"))?;
            if let Some((target, rl, rc)) = &child.e.redefines {
                check_redefines(nodes, prev, c, target, *rl, *rc)?;
            } else {
                size = size.checked_add(total).ok_or_else(|| too_large("record"))?;
                prev = Some(c);
            }
        }
        (size, count, None)
    };
    let total = size.checked_mul(e.occurs.unwrap_or(1)).ok_or_else(|| too_large("record"))?;
    if total > MAX_RECORD_LEN {
        return Err(Error::TooLarge { what: "record", value: total as u64, limit: MAX_RECORD_LEN as u64 });
    }
    if count.saturating_mul(e.occurs.unwrap_or(1)) > MAX_FIELDS {
        return Err(Error::TooLarge { what: "copybook fields", value: count as u64, limit: MAX_FIELDS as u64 });
    }
    let n = &mut nodes[id];
    n.size = size;
    n.count = count;
    n.kind = kind;
    Ok(())
}

pub(super) fn check_redefines(
    nodes: &[Node],
    prev: Option<usize>,
    c: usize,
    target: &str,
    line: usize,
    col: usize,
) -> Result<()> {
    let child = &nodes[c];
    let Some(p) = prev.filter(|&p| nodes[p].e.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(target))) else {
        return Err(err(
            line,
            col,
            format!("REDEFINES {target}: it must name the item just before it at the same level"),
        ));
    };
    if child.total() > nodes[p].total() {
        return Err(err(
            line,
            col,
            format!(
                "{} ({} bytes) is larger than {target} ({} bytes), which it redefines",
                child.e.name.as_deref().unwrap_or("FILLER"),
                child.total(),
                nodes[p].total()
            ),
        ));
    }
    Ok(())
}

pub(super) fn subscripted(name: &str, subs: &[usize]) -> String {
    if subs.is_empty() {
        return name.to_string();
    }
    let list: Vec<String> = subs.iter().map(usize::to_string).collect();
    format!("{name}({})", list.join(","))
}

pub(super) struct Flattener<'a> {
    pub(super) nodes: &'a [Node],
    pub(super) subs: Vec<usize>,
    pub(super) redefinitions: Vec<Redefinition>,
}

impl Flattener<'_> {
    pub(super) fn item(&mut self, id: usize, offset: usize, out: &mut Vec<Field>) {
        let n = &self.nodes[id];
        for k in 0..n.occurs() {
            if n.e.occurs.is_some() {
                self.subs.push(k + 1);
            }
            let off = offset + k * n.size;
            match n.kind {
                Some(kind) => out.push(Field {
                    name: subscripted(n.e.name.as_deref().unwrap_or("FILLER"), &self.subs),
                    offset: off,
                    len: n.size,
                    kind,
                    filler: n.e.name.is_none(),
                    line: n.e.line,
                }),
                None => self.children(&n.children, off, out),
            }
            if n.e.occurs.is_some() {
                self.subs.pop();
            }
        }
    }

    pub(super) fn children(&mut self, children: &[usize], offset: usize, out: &mut Vec<Field>) {
        let (mut cur, mut prev_start) = (offset, offset);
        for &c in children {
            let child = &self.nodes[c];
            if let Some((target, ..)) = &child.e.redefines {
                self.redefinition(c, target.clone(), prev_start);
            } else {
                prev_start = cur;
                self.item(c, cur, out);
                cur += child.total();
            }
        }
    }

    pub(super) fn redefinition(&mut self, c: usize, target: String, offset: usize) {
        let mut fields = Vec::new();
        self.item(c, offset, &mut fields);
        let child = &self.nodes[c];
        self.redefinitions.push(Redefinition {
            name: subscripted(child.e.name.as_deref().unwrap_or("FILLER"), &self.subs),
            redefines: target,
            offset,
            len: child.total(),
            line: child.e.line,
            fields,
        });
    }
}

pub(super) fn layout(entries: Vec<Entry>, opts: &ParseOptions) -> Result<RecordLayout> {
    let mut nodes: Vec<Node> = Vec::with_capacity(entries.len());
    let mut roots: Vec<usize> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for e in entries {
        let lvl = hier_level(e.level);
        if lvl == 1 {
            stack.clear();
        }
        while stack.last().is_some_and(|&top| hier_level(nodes[top].e.level) >= lvl) {
            stack.pop();
        }
        let parent = stack.last().copied();
        let siblings = parent.map_or(&roots, |p| &nodes[p].children);
        if let Some(&first) = siblings.first() {
            let l = hier_level(nodes[first].e.level);
            if l != lvl {
                return Err(err(
                    e.line,
                    e.col,
                    format!("level {lvl:02} does not match level {l:02} of the items beside it"),
                ));
            }
        }
        if let Some(p) = parent {
            if nodes[p].e.pic.is_some() {
                let pname = nodes[p].e.name.clone().unwrap_or_else(|| "FILLER".into());
                return Err(err(e.line, e.col, format!("{pname} has a PICTURE, so it cannot have subordinate items")));
            }
        }
        let id = nodes.len();
        nodes.push(Node { e, children: Vec::new(), kind: None, size: 0, count: 0 });
        match parent {
            Some(p) => nodes[p].children.push(id),
            None => roots.push(id),
        }
        stack.push(id);
    }
    let Some(&first) = roots.first() else {
        return Err(Error::corrupt("copybook", "no data description entries"));
    };
    let is_record = hier_level(nodes[first].e.level) == 1;
    // The roots laid out under an implicit group: a record and its alternatives, or
    // loose items one after another.
    for (k, &r) in roots.iter().enumerate() {
        resolve(&mut nodes, r, Inherited::default(), opts)?;
        if is_record && k > 0 {
            let n = &nodes[r];
            if n.total() > nodes[first].total() {
                return Err(err(
                    n.e.line,
                    n.e.col,
                    format!(
                        "this record ({} bytes) is longer than the first one ({} bytes)",
                        n.total(),
                        nodes[first].total()
                    ),
                ));
            }
        }
    }
    let mut fl = Flattener { nodes: &nodes, subs: Vec::new(), redefinitions: Vec::new() };
    let mut fields = Vec::new();
    let (name, record_len) = if is_record {
        if let Some((_, l, c)) = &nodes[first].e.redefines {
            return Err(err(*l, *c, "the first record cannot redefine another"));
        }
        fl.item(first, 0, &mut fields);
        let target = nodes[first].e.name.clone().unwrap_or_else(|| "FILLER".into());
        for &r in &roots[1..] {
            fl.redefinition(r, target.clone(), 0);
        }
        (nodes[first].e.name.clone(), nodes[first].total())
    } else {
        let mut size = 0usize;
        let mut prev = None;
        for &r in &roots {
            if let Some((target, l, c)) = &nodes[r].e.redefines {
                check_redefines(&nodes, prev, r, target, *l, *c)?;
            } else {
                size = size.checked_add(nodes[r].total()).ok_or_else(|| too_large("record"))?;
                prev = Some(r);
            }
        }
        let count: usize =
            roots.iter().map(|&r| nodes[r].count.saturating_mul(nodes[r].occurs())).fold(0, usize::saturating_add);
        if size > MAX_RECORD_LEN || count > MAX_FIELDS {
            return Err(Error::TooLarge { what: "record", value: size as u64, limit: MAX_RECORD_LEN as u64 });
        }
        fl.children(&roots, 0, &mut fields);
        (None, size)
    };
    let redefinitions = fl.redefinitions;
    Ok(RecordLayout { name, record_len, fields, redefinitions })
}
