import './app/theme.css';
import { mount } from 'svelte';
import App from './app/App.svelte';
import { applyStoredTheme } from './app/theme';
import { installOpenAIRelay } from './app/openai-relay';

applyStoredTheme();
// Answers the service worker's same-origin /v1/* (OpenAI-compatible) requests from this page.
installOpenAIRelay();
mount(App, { target: document.getElementById('app')! });
