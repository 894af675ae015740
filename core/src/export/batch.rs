//! A batch of already-encoded events: one buffer plus item boundaries, so a 413 can split
//! it without re-encoding.

#[derive(Debug, Default, Clone, PartialEq)]
pub struct EncodedBatch {
    data: Vec<u8>,
    ends: Vec<usize>,
}

impl EncodedBatch {
    pub const EMPTY: EncodedBatch = EncodedBatch {
        data: Vec::new(),
        ends: Vec::new(),
    };

    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(bytes: usize, items: usize) -> Self {
        EncodedBatch {
            data: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(items),
        }
    }

    /// Appends one item produced by `encode` into the shared buffer.
    pub fn push_with(&mut self, encode: impl FnOnce(&mut Vec<u8>)) {
        encode(&mut self.data);
        self.ends.push(self.data.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn byte_len(&self) -> usize {
        self.data.len()
    }

    pub fn items(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(start, end)| &self.data[start..end])
    }

    /// Splits off the second half (`len() >= 2`), keeping order: `self` keeps the first.
    pub fn split_half(&mut self) -> EncodedBatch {
        let keep = self.ends.len() / 2;
        let cut = self.ends[keep - 1];
        let data = self.data.split_off(cut);
        let ends = self
            .ends
            .split_off(keep)
            .into_iter()
            .map(|end| end - cut)
            .collect();
        EncodedBatch { data, ends }
    }

    /// Joins the items as `prefix item,item,... suffix` into one request body.
    pub fn join(&self, prefix: &[u8], separator: &[u8], suffix: &[u8]) -> Vec<u8> {
        let mut body = Vec::with_capacity(
            prefix.len() + self.data.len() + self.len() * separator.len() + suffix.len(),
        );
        body.extend_from_slice(prefix);
        for (i, item) in self.items().enumerate() {
            if i > 0 {
                body.extend_from_slice(separator);
            }
            body.extend_from_slice(item);
        }
        body.extend_from_slice(suffix);
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_items_and_order() {
        let mut b = EncodedBatch::new();
        for item in ["a", "bb", "ccc", "dddd", "e"] {
            b.push_with(|out| out.extend_from_slice(item.as_bytes()));
        }
        let second = b.split_half();
        assert_eq!(b.items().collect::<Vec<_>>(), [b"a".as_slice(), b"bb"]);
        assert_eq!(
            second.items().collect::<Vec<_>>(),
            [b"ccc".as_slice(), b"dddd", b"e"]
        );
        assert_eq!(second.join(b"[", b",", b"]"), b"[ccc,dddd,e]");
    }
}
