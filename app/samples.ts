/**
 * Sample media served from public/samples/ (licences in public/samples/README.md): real photos
 * and one clip made from photos, each with a question the tools can answer, so a first visit can
 * try the agent in one click. The Python console's picker offers the photos.
 */
export interface Sample {
  file: string;
  label: string;
  kind: 'image' | 'video';
  /** A question to try (the playground fills it in). */
  question: string;
}

export const MEDIA_SAMPLES: readonly Sample[] = [
  { file: 'kingfisher.jpg', label: 'Kingfisher on a branch', kind: 'image', question: 'Which animal is in the picture?' },
  { file: 'berlin-cathedral.jpg', label: 'Berlin Cathedral', kind: 'image', question: 'Is there a car in the picture?' },
  { file: 'museum-sign.jpg', label: 'A sign in front of a cathedral', kind: 'image', question: 'What does the sign say?' },
  { file: 'sheep-pasture.jpg', label: 'Sheep on a pasture', kind: 'image', question: 'Is there a sheep in the picture?' },
  { file: 'opera.jpg', label: 'Opera singers on stage', kind: 'image', question: 'Is there a person in the picture?' },
  { file: 'nuthatch.jpg', label: 'Nuthatch on a tree', kind: 'image', question: 'Which animal is in the picture?' },
  { file: 'bird-then-sheep.mp4', label: 'Clip: cathedral, kingfisher, sheep', kind: 'video', question: 'What appears first, the bird or the sheep?' },
];

/** The photos (the Python console's sample picker). */
export const SAMPLES: readonly Sample[] = MEDIA_SAMPLES.filter((s) => s.kind === 'image');

export const DEFAULT_SAMPLE = 'kingfisher.jpg';

export function sampleUrl(file: string): string {
  return `/samples/${file.split('/').map(encodeURIComponent).join('/')}`;
}

export function isSample(file: string | null | undefined): file is string {
  return !!file && SAMPLES.some((s) => s.file === file);
}
