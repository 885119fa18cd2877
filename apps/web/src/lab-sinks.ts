// The entry of the lab's sink page (lab-sinks.html), built only where the lab is (development,
// VITE_LAB=1): see features/lab/sink-page.ts.
import './zod-without-eval';
import { labAttackerUrl } from './app/env';
import { runSinkPage } from './features/lab/sink-page';

void runSinkPage(labAttackerUrl);
