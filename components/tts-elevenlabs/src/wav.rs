//! The header of a streamed WAV file. ElevenLabs sends raw PCM; for a `wav_*` format the
//! provider puts this header in front of it. The total length is not known while streaming,
//! so the RIFF and data sizes are `0xFFFFFFFF` (as streaming encoders write them); the host
//! patches them once the audio is complete.

/// Length of the canonical PCM WAV header.
pub const HEADER_LEN: usize = 44;

/// A 44-byte header for 16-bit little-endian mono PCM at `sample_rate`, sizes unknown.
pub fn streaming_header(sample_rate: u32) -> [u8; HEADER_LEN] {
    const CHANNELS: u16 = 1;
    const BITS: u16 = 16;
    let block_align = CHANNELS * BITS / 8;
    let byte_rate = sample_rate.saturating_mul(u32::from(block_align));
    let mut h = [0u8; HEADER_LEN];
    let fields: [&[u8]; 13] = [
        b"RIFF",
        &u32::MAX.to_le_bytes(),
        b"WAVE",
        b"fmt ",
        &16u32.to_le_bytes(), // size of the fmt chunk
        &1u16.to_le_bytes(),  // PCM
        &CHANNELS.to_le_bytes(),
        &sample_rate.to_le_bytes(),
        &byte_rate.to_le_bytes(),
        &block_align.to_le_bytes(),
        &BITS.to_le_bytes(),
        b"data",
        &u32::MAX.to_le_bytes(),
    ];
    let mut at = 0;
    for field in fields {
        let end = at + field.len();
        if let Some(slot) = h.get_mut(at..end) {
            slot.copy_from_slice(field);
        }
        at = end;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layout() {
        let h = streaming_header(22050);
        let u32_at = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
        let u16_at = |i: usize| u16::from_le_bytes([h[i], h[i + 1]]);
        assert_eq!(&h[0..4], b"RIFF");
        assert_eq!(u32_at(4), 0xFFFF_FFFF);
        assert_eq!(&h[8..16], b"WAVEfmt ");
        assert_eq!((u32_at(16), u16_at(20), u16_at(22)), (16, 1, 1));
        assert_eq!((u32_at(24), u32_at(28)), (22050, 44100));
        assert_eq!((u16_at(32), u16_at(34)), (2, 16));
        assert_eq!(&h[36..40], b"data");
        assert_eq!(u32_at(40), 0xFFFF_FFFF);
    }
}
