/** Sample photos served from public/samples/ (licences in public/samples/README.md). */
export interface Sample {
  file: string;
  label: string;
}

export const SAMPLES: readonly Sample[] = [
  { file: 'astronaut.png', label: 'Astronaut (NASA)' },
  { file: 'chelsea.png', label: 'Chelsea the cat' },
  { file: 'coffee.png', label: 'Coffee cup' },
  { file: 'rocket.jpg', label: 'Rocket launch (NASA)' },
];

export const DEFAULT_SAMPLE = 'astronaut.png';

export function sampleUrl(file: string): string {
  return `/samples/${encodeURIComponent(file)}`;
}

export function isSample(file: string | null | undefined): file is string {
  return !!file && SAMPLES.some((s) => s.file === file);
}
