//! A batch of encoded events, written straight into the request body in the exporter's
//! framing (`{"events":[` … `,` … `]}` for AgentOps v2, lines for files), with the item
//! boundaries kept so a 413 can split it without encoding again.

/// How an exporter frames a batch: the body is `prefix item separator item … suffix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framing {
    pub prefix: &'static [u8],
    pub separator: &'static [u8],
    pub suffix: &'static [u8],
}

#[derive(Debug, Clone, PartialEq)]
pub struct EncodedBatch {
    framing: Framing,
    body: Vec<u8>,
    /// Where each item starts and ends in `body`.
    items: Vec<(usize, usize)>,
    finished: bool,
}

impl EncodedBatch {
    pub fn new(framing: Framing, bytes: usize, items: usize) -> Self {
        let mut body = Vec::with_capacity(bytes + framing.prefix.len() + framing.suffix.len());
        body.extend_from_slice(framing.prefix);
        EncodedBatch {
            framing,
            body,
            items: Vec::with_capacity(items),
            finished: false,
        }
    }

    /// Appends one item produced by `encode`.
    pub fn push_with(&mut self, encode: impl FnOnce(&mut Vec<u8>)) {
        if !self.items.is_empty() {
            self.body.extend_from_slice(self.framing.separator);
        }
        let start = self.body.len();
        encode(&mut self.body);
        self.items.push((start, self.body.len()));
    }

    /// Closes the body with the suffix; no item can be added afterwards.
    pub fn finish(&mut self) {
        if !self.finished {
            self.body.extend_from_slice(self.framing.suffix);
            self.finished = true;
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The request body (complete once [`EncodedBatch::finish`] ran).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    pub fn items(&self) -> impl Iterator<Item = &[u8]> {
        self.items
            .iter()
            .map(|&(start, end)| &self.body[start..end])
    }

    /// Splits off the second half (`len() >= 2`), keeping order: `self` keeps the first.
    /// Both halves are framed and finished again.
    pub fn split_half(&mut self) -> EncodedBatch {
        let keep = self.items.len() / 2;
        let rebuild = |items: &[(usize, usize)]| {
            let mut half = EncodedBatch::new(self.framing, self.body.len() / 2, items.len());
            for &(start, end) in items {
                half.push_with(|out| out.extend_from_slice(&self.body[start..end]));
            }
            half.finish();
            half
        };
        let second = rebuild(&self.items[keep..]);
        *self = rebuild(&self.items[..keep]);
        second
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: Framing = Framing {
        prefix: b"[",
        separator: b",",
        suffix: b"]",
    };

    #[test]
    fn the_body_is_framed_and_a_split_keeps_items_and_order() {
        let mut b = EncodedBatch::new(JSON, 16, 5);
        for item in ["a", "bb", "ccc", "dddd", "e"] {
            b.push_with(|out| out.extend_from_slice(item.as_bytes()));
        }
        b.finish();
        b.finish();
        assert_eq!(b.body(), b"[a,bb,ccc,dddd,e]");
        let second = b.split_half();
        assert_eq!(b.items().collect::<Vec<_>>(), [b"a".as_slice(), b"bb"]);
        assert_eq!(
            (b.body(), second.body()),
            (b"[a,bb]".as_slice(), b"[ccc,dddd,e]".as_slice())
        );
    }
}
