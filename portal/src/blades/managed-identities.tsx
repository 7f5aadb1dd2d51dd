// Placeholder: filled in by the next commit.
import { Blade } from '../components/Blade';
import type { BladeProps } from './registry';

export default function Placeholder(_: BladeProps) {
  return <Blade title="managed-identities">Coming soon.</Blade>;
}
